import ServiceKit

/// The documented maximums of a shipping address, in Unicode code points (see ``InputBounds``);
/// the OpenAPI document's `maxLength`s.
enum ShippingAddressBounds {
    static let label = 50
    static let line = 200
    static let city = 100
    static let postalCode = 20
    static let country = 2
}

extension OrderRequest: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.array(self.items, "items", max: Self.lineCount.upperBound)
        bounds.nested(self.shippingAddress, "shippingAddress")
    }
}

extension ShippingAddress: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.label, "label", max: ShippingAddressBounds.label)
        bounds.string(self.line1, "line1", max: ShippingAddressBounds.line)
        bounds.string(self.line2, "line2", max: ShippingAddressBounds.line)
        bounds.string(self.city, "city", max: ShippingAddressBounds.city)
        bounds.string(self.postalCode, "postalCode", max: ShippingAddressBounds.postalCode)
        bounds.string(self.country, "country", max: ShippingAddressBounds.country)
    }
}
