/// An amount of money: an integer number of minor units (cents) and an ISO 4217 currency code.
/// Never a floating-point number.
///
/// Amounts that come from outside (prices, order totals, payment amounts) are bounded by
/// ``limit`` (`0...10^12` minor units, ten billion dollars); arithmetic is checked
/// (``adding(_:)``, ``multiplied(by:)``) and reports overflow instead of trapping.
public struct Money: Codable, Sendable, Hashable {
    /// Minor units, e.g. 1999 for 19.99 USD.
    public var amount: Int64
    /// ISO 4217 code, three upper-case letters.
    public var currency: String

    /// The largest amount anything in the shop may be: a price, an order's total or a payment.
    public static let maximumAmount: Int64 = 1_000_000_000_000
    /// The amounts a price, an order total or a payment may have, in minor units.
    public static let limit: ClosedRange<Int64> = 0...maximumAmount
    /// The length of a currency code.
    public static let currencyCodeLength = 3

    public init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Whether `currency` has the shape of an ISO 4217 code.
    public var hasValidCurrency: Bool {
        self.currency.utf8.count == 3 && self.currency.utf8.allSatisfy { (65...90).contains($0) }
    }

    /// Whether the amount is within ``limit``.
    public var isWithinLimit: Bool { Self.limit.contains(self.amount) }

    /// The sum of two amounts of one currency; throws instead of overflowing.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard self.currency == other.currency else { throw .currencyMismatch(self.currency, other.currency) }
        let (sum, overflow) = self.amount.addingReportingOverflow(other.amount)
        guard !overflow else { throw .overflow }
        return Money(amount: sum, currency: self.currency)
    }

    /// The difference of two amounts of one currency; throws instead of overflowing.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard self.currency == other.currency else { throw .currencyMismatch(self.currency, other.currency) }
        let (difference, overflow) = self.amount.subtractingReportingOverflow(other.amount)
        guard !overflow else { throw .overflow }
        return Money(amount: difference, currency: self.currency)
    }

    /// The amount `factor` times (a unit price times a quantity); throws instead of overflowing.
    public func multiplied(by factor: Int) throws(MoneyError) -> Money {
        guard let factor = Int64(exactly: factor) else { throw .overflow }
        let (product, overflow) = self.amount.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .overflow }
        return Money(amount: product, currency: self.currency)
    }

    /// The sum of `amounts`, all of one currency; `nil` for none.
    public static func sum(_ amounts: some Sequence<Money>) throws(MoneyError) -> Money? {
        var total: Money?
        for amount in amounts {
            total = try total?.adding(amount) ?? amount
        }
        return total
    }
}

/// Why a ``Money`` computation has no result.
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The amounts are in different currencies.
    case currencyMismatch(String, String)
    /// The exact result does not fit in 64 bits.
    case overflow

    public var description: String {
        switch self {
        case .currencyMismatch(let first, let second): "cannot combine \(first) with \(second)"
        case .overflow: "the amount does not fit in 64 bits"
        }
    }
}
