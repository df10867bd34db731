import Foundation
import ServiceKit

/// A postal address of a profile.
struct Address: Codable, Sendable, Equatable {
    var label: String
    var line1: String
    var line2: String?
    var city: String
    var postalCode: String
    /// ISO 3166-1 alpha-2, upper case.
    var country: String
}

/// A profile as the public API shows it.
struct Profile: Codable, Sendable, Equatable {
    var id: UUID
    var email: String
    var name: String
    var phone: String?
    var addresses: [Address]
    var createdAt: Date

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.email, forKey: .email)
        try container.encode(self.name, forKey: .name)
        // `phone` is always present, null when unset.
        try container.encode(self.phone, forKey: .phone)
        try container.encode(self.addresses, forKey: .addresses)
        try container.encode(self.createdAt, forKey: .createdAt)
    }
}

/// `PATCH /v1/users/me`: absent fields stay as they are; `"phone": null` removes the phone.
struct ProfileChanges: Decodable, Sendable {
    var name: String?
    /// `nil`: unchanged; `.some(nil)`: removed.
    var phone: String??
    var addresses: [Address]?

    enum CodingKeys: String, CodingKey {
        case name, phone, addresses
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        if container.contains(.phone) {
            self.phone = .some(try container.decodeNil(forKey: .phone) ? nil : try container.decode(String.self, forKey: .phone))
        } else {
            self.phone = nil
        }
        self.addresses = try container.decodeIfPresent([Address].self, forKey: .addresses)
    }

    /// Trims what the user typed and upper-cases country codes.
    mutating func normalize() {
        self.name = self.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if case .some(.some(let phone)) = self.phone { self.phone = .some(phone.trimmingCharacters(in: .whitespaces)) }
        self.addresses = self.addresses?.map { address in
            var address = address
            address.label = address.label.trimmingCharacters(in: .whitespacesAndNewlines)
            address.line1 = address.line1.trimmingCharacters(in: .whitespacesAndNewlines)
            address.line2 = address.line2?.trimmingCharacters(in: .whitespacesAndNewlines)
            if address.line2?.isEmpty == true { address.line2 = nil }
            address.city = address.city.trimmingCharacters(in: .whitespacesAndNewlines)
            address.postalCode = address.postalCode.trimmingCharacters(in: .whitespacesAndNewlines)
            address.country = address.country.trimmingCharacters(in: .whitespaces)
            return address
        }
    }

    /// Per-field checks; throws one 422 naming every invalid field.
    func validate() throws {
        var validator = Validator()
        if let name { validator.check(!name.isEmpty, "name", "must be 1 to \(ProfileBounds.name) characters") }
        if case .some(.some(let phone)) = self.phone {
            validator.check(Self.isPhoneNumber(phone), "phone", "must be a phone number: digits, spaces, +, - and parentheses, 5 to 20 characters")
        }
        if let addresses {
            validator.check(addresses.count <= ProfileBounds.addresses, "addresses", "must have at most \(ProfileBounds.addresses) entries")
            for (index, address) in addresses.enumerated() {
                let field = "addresses[\(index)]"
                validator.check((1...50).contains(address.label.count), "\(field).label", "must be 1 to 50 characters")
                validator.check((1...200).contains(address.line1.count), "\(field).line1", "must be 1 to 200 characters")
                validator.check((address.line2?.count ?? 0) <= 200, "\(field).line2", "must be at most 200 characters")
                validator.check((1...100).contains(address.city.count), "\(field).city", "must be 1 to 100 characters")
                validator.check((1...20).contains(address.postalCode.count), "\(field).postalCode", "must be 1 to 20 characters")
                validator.check(Self.isCountryCode(address.country), "\(field).country", "must be an ISO 3166-1 alpha-2 code such as GB")
            }
        }
        try validator.validate()
    }

    static func isPhoneNumber(_ text: String) -> Bool {
        guard (5...20).contains(text.count) else { return false }
        let allowed = Set("0123456789 +-()")
        guard text.allSatisfy({ allowed.contains($0) }) else { return false }
        // A + only as the first character, and enough digits to be a number.
        return !text.dropFirst().contains("+") && text.filter(\.isNumber).count >= 5
    }

    static func isCountryCode(_ text: String) -> Bool {
        text.utf8.count == 2 && text.utf8.allSatisfy { (65...90).contains($0) }
    }
}
