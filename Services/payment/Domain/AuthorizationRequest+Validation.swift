import Contracts
import ServiceKit

extension AuthorizationRequest {
    /// The amounts a payment may be for: at least one minor unit, at most ``Money/maximumAmount``.
    static let amountLimit: ClosedRange<Int64> = 1...Money.maximumAmount

    /// A 422 naming `amount.amount` or `amount.currency` unless the amount can be authorized.
    func validate() throws {
        var validator = Validator()
        validator.check(
            Self.amountLimit.contains(self.amount.amount),
            "amount.amount",
            "must be a positive number of minor units, at most \(Money.maximumAmount)"
        )
        validator.check(self.amount.hasValidCurrency, "amount.currency", "must be an ISO 4217 code such as USD")
        try validator.validate()
    }
}
