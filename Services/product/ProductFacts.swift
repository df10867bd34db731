import Contracts
import Foundation

/// What the order service needs to know of a product to price and accept an order line.
struct ProductFacts: Codable, Sendable, Equatable {
    var id: UUID
    var name: String
    var price: Money
    /// Archived products cannot be ordered.
    var archived: Bool

    init(id: UUID, name: String, price: Money, archived: Bool) {
        self.id = id
        self.name = name
        self.price = price
        self.archived = archived
    }
}
