import Contracts
import Foundation

/// An order's payment as stored: at most one per order.
struct Payment: Sendable, Equatable {
    var id: UUID
    var orderId: UUID
    /// `nil` only for a tombstone (an order cancelled before any authorization arrived).
    var userId: UUID?
    var paymentMethodId: UUID?
    /// What was asked for.
    var amount: Money
    var status: PaymentStatus
    /// Set when `declined`.
    var declineReason: DeclineReason?
    /// What the processor approved, in `amount.currency`; `nil` when never authorized.
    var authorizedAmount: Int64?
    var createdAt: Date

    /// The amount a capture takes, a void releases and a refund returns: exactly what was
    /// authorized.
    var authorizedMoney: Money {
        Money(amount: self.authorizedAmount ?? 0, currency: self.amount.currency)
    }

    /// The currency of a tombstone, which has no amount: ISO 4217's "no currency".
    static let noCurrency = "XXX"

    /// What the public API shows.
    var view: PaymentView {
        PaymentView(
            id: self.id,
            orderId: self.orderId,
            amount: self.amount,
            status: self.status,
            declineReason: self.declineReason,
            createdAt: self.createdAt
        )
    }
}

/// A payment as the public API shows it: `{id, orderId, amount, status}`, plus why it was
/// declined and when it was made.
struct PaymentView: Codable, Sendable, Equatable {
    var id: UUID
    var orderId: UUID
    var amount: Money
    var status: PaymentStatus
    var declineReason: DeclineReason?
    var createdAt: Date
}
