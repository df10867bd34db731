import Foundation

/// Whether a saved card exists, whose it is and whether it has expired.
struct PaymentMethodCheck: Sendable, Equatable {
    var id: UUID
    var userId: UUID
    var expired: Bool
}
