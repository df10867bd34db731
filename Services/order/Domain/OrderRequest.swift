import Contracts
import Crypto
import Foundation
import ServiceKit

/// The body of `POST /v1/orders`. Prices are not part of it: they come from the catalog.
struct OrderRequest: Codable, Sendable, Equatable {
    struct Item: Codable, Sendable, Equatable {
        var productId: UUID
        var quantity: Int
    }

    var items: [Item]
    var paymentMethodId: UUID
    var shippingAddress: ShippingAddress

    /// Lines an order may have (as many as product reserves in one call: 50).
    static let lineCount = 1...50
    /// Units of one product an order line may ask for.
    static let quantity = 1...1_000

    /// Per-field checks; throws one 422 naming every invalid field.
    func validate() throws {
        var validator = Validator()
        validator.check(Self.lineCount.contains(self.items.count), "items", "must have 1 to \(Self.lineCount.upperBound) lines")
        var seen = Set<UUID>()
        for (index, item) in self.items.enumerated() {
            validator.check(
                Self.quantity.contains(item.quantity),
                "items[\(index)].quantity",
                "must be an integer from 1 to \(Self.quantity.upperBound)"
            )
            validator.check(seen.insert(item.productId).inserted, "items[\(index)].productId", "appears more than once")
        }
        let address = self.shippingAddress
        validator.check(
            (address.label?.count ?? 0) <= ShippingAddressBounds.label,
            "shippingAddress.label",
            "must be at most \(ShippingAddressBounds.label) characters"
        )
        validator.check(
            (1...ShippingAddressBounds.line).contains(address.line1.trimmingCharacters(in: .whitespaces).count),
            "shippingAddress.line1",
            "must be 1 to \(ShippingAddressBounds.line) characters"
        )
        validator.check(
            (address.line2?.count ?? 0) <= ShippingAddressBounds.line,
            "shippingAddress.line2",
            "must be at most \(ShippingAddressBounds.line) characters"
        )
        validator.check(
            (1...ShippingAddressBounds.city).contains(address.city.trimmingCharacters(in: .whitespaces).count),
            "shippingAddress.city",
            "must be 1 to \(ShippingAddressBounds.city) characters"
        )
        validator.check(
            (1...ShippingAddressBounds.postalCode).contains(address.postalCode.trimmingCharacters(in: .whitespaces).count),
            "shippingAddress.postalCode",
            "must be 1 to \(ShippingAddressBounds.postalCode) characters"
        )
        validator.check(
            address.country.utf8.count == 2 && address.country.utf8.allSatisfy { (65...90).contains($0) },
            "shippingAddress.country",
            "must be an ISO 3166-1 alpha-2 code such as GB"
        )
        try validator.validate()
    }

    /// A stable fingerprint of the request, for `Idempotency-Key`: same key and same body give
    /// the same order; the same key with another body is refused.
    var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return Base64URL.encode(Data(SHA256.hash(data: data)))
    }
}
