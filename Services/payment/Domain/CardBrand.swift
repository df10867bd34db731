/// A card network, recognised by the number's leading digits (its IIN range).
enum CardBrand: String, Codable, Sendable, CaseIterable {
    case visa
    case mastercard
    case amex
    case discover
    case unknown

    /// The brand of a string of digits: Visa 4; Mastercard 51–55 and 2221–2720; American
    /// Express 34 and 37; Discover 6011 and 65; anything else unknown.
    init(digits: String) {
        // A shorter string gives a smaller number, which no range below matches.
        let two = Int(digits.prefix(2)) ?? 0
        let four = Int(digits.prefix(4)) ?? 0
        if digits.hasPrefix("4") {
            self = .visa
        } else if (51...55).contains(two) || (2221...2720).contains(four) {
            self = .mastercard
        } else if two == 34 || two == 37 {
            self = .amex
        } else if four == 6011 || two == 65 {
            self = .discover
        } else {
            self = .unknown
        }
    }
}
