import Foundation

/// A saved card as the API shows it: never the number, only its brand and last four digits.
struct PaymentMethod: Codable, Sendable, Equatable {
    var id: UUID
    var brand: CardBrand
    var last4: String
    var expMonth: Int
    var expYear: Int
    /// Present only when the customer gave one.
    var holderName: String?
    var createdAt: Date
}
