import Contracts
import Foundation

/// A catalog entry as the public API shows it.
///
/// Stock is kept in two counts: `onHand`, the units in stock that are not sold yet (units held
/// for pending orders included), and `held`, the units open reservations hold. `available`,
/// what can still be ordered, is always `onHand - held`.
struct Product: Codable, Sendable, Equatable {
    var id: UUID
    var sku: String
    var name: String
    var description: String
    var category: String
    var price: Money
    var available: Int
    var onHand: Int
    var held: Int
}
