import Contracts
import Foundation

/// An order's reservation as a reservation call leaves it.
struct ReservationResult: Codable, Sendable, Equatable {
    var orderId: UUID
    var status: ReservationStatus
    /// The product ids that lacked stock, were archived or unknown, when `rejected`.
    var unavailable: [UUID]

    init(orderId: UUID, status: ReservationStatus, unavailable: [UUID] = []) {
        self.orderId = orderId
        self.status = status
        self.unavailable = unavailable
    }
}
