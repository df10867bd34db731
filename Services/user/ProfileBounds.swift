import ServiceKit

/// The documented maximums of a profile's fields, in Unicode code points (see ``InputBounds``);
/// the OpenAPI document's `maxLength`s and `maxItems`.
enum ProfileBounds {
    static let name = 100
    static let phone = 20
    static let addresses = 10
    static let label = 50
    static let line = 200
    static let city = 100
    static let postalCode = 20
    static let country = 2
}

extension ProfileChanges: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.name, "name", max: ProfileBounds.name)
        if case .some(.some(let phone)) = self.phone { bounds.string(phone, "phone", max: ProfileBounds.phone) }
        bounds.elements(self.addresses, "addresses", max: ProfileBounds.addresses)
    }
}

extension Address: BoundedInput {
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.label, "label", max: ProfileBounds.label)
        bounds.string(self.line1, "line1", max: ProfileBounds.line)
        bounds.string(self.line2, "line2", max: ProfileBounds.line)
        bounds.string(self.city, "city", max: ProfileBounds.city)
        bounds.string(self.postalCode, "postalCode", max: ProfileBounds.postalCode)
        bounds.string(self.country, "country", max: ProfileBounds.country)
    }
}
