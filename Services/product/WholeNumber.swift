import Contracts

/// A JSON number that must be an integer, read so that `19.99` becomes a field error (422)
/// rather than an unreadable body: the decoder rejects a fraction for an integer type
/// before any field is known.
enum WholeNumber: Decodable, Sendable, Equatable, ExpressibleByIntegerLiteral {
    case integer(Int64)
    /// A number with a fractional part, or too large for 64 bits.
    case notInteger

    init(integerLiteral value: Int64) {
        self = .integer(value)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else {
            // Anything that is not a number at all stays a type mismatch.
            _ = try container.decode(Double.self)
            self = .notInteger
        }
    }

    /// The value when it is an integer within `range`.
    func value(in range: ClosedRange<Int>) -> Int? {
        guard case .integer(let value) = self, let integer = Int(exactly: value), range.contains(integer) else { return nil }
        return integer
    }
}

/// A price as sent: ``Money`` with an amount that may turn out not to be an integer.
struct PriceInput: Decodable, Sendable, Equatable {
    var amount: WholeNumber
    var currency: String

    /// The price, when the amount is an integer.
    var money: Money? {
        guard case .integer(let amount) = self.amount else { return nil }
        return Money(amount: amount, currency: self.currency)
    }
}
