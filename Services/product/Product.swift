import Contracts
import Foundation

/// A catalog entry as the public API shows it.
struct Product: Codable, Sendable, Equatable {
    var id: UUID
    var sku: String
    var name: String
    var description: String
    var category: String
    var price: Money
    var available: Int
}
