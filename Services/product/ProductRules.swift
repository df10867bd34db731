import Contracts
import ServiceKit

/// The field rules of catalog entries, shared by creation and partial updates; each check
/// adds its field error to a ``Validator``.
enum ProductRules {
    static let skuLength = 1...64
    static let nameLength = 1...200
    static let maximumDescriptionLength = 5_000
    static let categoryLength = 1...64
    /// Stock an admin may create a product with or count on hand.
    static let stock = 0...1_000_000

    static func check(sku: String, _ validator: inout Validator) {
        validator.check(Self.isSKU(sku), "sku", "must be 1 to 64 characters of A-Z, a-z, 0-9, - and _")
    }

    static func check(name: String, _ validator: inout Validator) {
        validator.check(Self.nameLength.contains(name.count), "name", "must be 1 to 200 characters")
    }

    static func check(description: String, _ validator: inout Validator) {
        validator.check(description.count <= Self.maximumDescriptionLength, "description", "must be at most 5000 characters")
    }

    static func check(category: String, _ validator: inout Validator) {
        validator.check(Self.isCategory(category), "category", "must be a lower-case slug of 1 to 64 characters, such as home-office")
    }

    static func check(price: PriceInput, _ validator: inout Validator) {
        validator.check(
            price.money?.isWithinLimit ?? false,
            "price.amount",
            "must be an integer number of minor units from 0 to \(Money.maximumAmount)"
        )
        validator.check(Self.isCurrencyCode(price.currency), "price.currency", "must be an ISO 4217 code of three upper-case letters, such as USD")
    }

    static func check(available: WholeNumber, _ validator: inout Validator) {
        validator.check(available.value(in: Self.stock) != nil, "available", Self.stockMessage)
    }

    static let stockMessage = "must be an integer from \(stock.lowerBound) to \(stock.upperBound)"

    /// 1–64 characters of `A-Z a-z 0-9 - _`.
    static func isSKU(_ text: String) -> Bool {
        Self.skuLength.contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                Self.isLowerCaseLetterOrDigit(byte) || (65...90).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// 1–64 characters of `a-z 0-9` in words joined by single hyphens (`home-office`).
    static func isCategory(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard Self.categoryLength.contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                if previous == byte { return false }
            } else if !Self.isLowerCaseLetterOrDigit(byte) {
                return false
            }
            previous = byte
        }
        return true
    }

    /// Three upper-case letters, the shape of an ISO 4217 code.
    static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { (65...90).contains($0) }
    }

    private static func isLowerCaseLetterOrDigit(_ byte: UInt8) -> Bool {
        (97...122).contains(byte) || (48...57).contains(byte)
    }
}
