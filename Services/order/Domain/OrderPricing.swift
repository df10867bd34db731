import Contracts
import ServiceKit

/// The total of an order's priced lines, computed with checked arithmetic: a unit price beyond
/// ``Money/limit`` (a row written before prices were bounded), a line or total that overflows
/// 64 bits, or a total beyond ``Money/maximumAmount`` is a 422 naming the field, never a trap.
enum OrderPricing {
    /// The sum of `unitPrice × quantity` over `lines`, all of one currency.
    static func total(of lines: [OrderLine]) throws(ProblemError) -> Money {
        guard let currency = lines.first?.unitPrice.currency else {
            throw ProblemError.validation([.init(field: "items", message: "must have at least one line")])
        }
        var validator = Validator()
        var total = Money(amount: 0, currency: currency)
        for (index, line) in lines.enumerated() {
            guard line.unitPrice.isWithinLimit else {
                validator.check(false, "items[\(index)].productId", "has a price this shop cannot sell (beyond \(Money.maximumAmount) minor units)")
                continue
            }
            do {
                total = try total.adding(try line.unitPrice.multiplied(by: line.quantity))
            } catch {
                switch error {
                case .currencyMismatch: validator.check(false, "items", "must all be priced in one currency")
                case .overflow: validator.check(false, "items", Self.totalTooLarge)
                }
            }
        }
        try Self.throwing(validator)
        guard total.isWithinLimit else {
            throw ProblemError.validation([.init(field: "items", message: Self.totalTooLarge)])
        }
        return total
    }

    static let totalTooLarge = "would make the order total more than \(Money.maximumAmount) minor units"

    private static func throwing(_ validator: Validator) throws(ProblemError) {
        guard !validator.errors.isEmpty else { return }
        throw ProblemError.validation(Self.unique(validator.errors))
    }

    /// One error per field and message (several lines may overflow the same total).
    private static func unique(_ errors: [ProblemDetails.FieldError]) -> [ProblemDetails.FieldError] {
        var seen = Set<String>()
        return errors.filter { seen.insert($0.field + "\u{0}" + $0.message).inserted }
    }
}
