/// An amount of money: an integer number of minor units (cents) and an ISO 4217 currency code.
/// Never a floating-point number.
public struct Money: Codable, Sendable, Hashable {
    /// Minor units, e.g. 1999 for 19.99 USD.
    public var amount: Int64
    /// ISO 4217 code, three upper-case letters.
    public var currency: String

    public init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Whether `currency` has the shape of an ISO 4217 code.
    public var hasValidCurrency: Bool {
        self.currency.utf8.count == 3 && self.currency.utf8.allSatisfy { (65...90).contains($0) }
    }
}
