import Foundation

/// `POST /internal/payments/authorize` (payment): authorize an order's amount on a saved card.
///
/// Idempotent per `orderId`: a repeated request answers the payment as it is now. An order
/// whose payment was cancelled before any authorization arrived (see ``PaymentStatus/voided``)
/// is never authorized afterwards.
public struct AuthorizationRequest: Codable, Sendable, Equatable {
    public var orderId: UUID
    public var userId: UUID
    public var paymentMethodId: UUID
    public var amount: Money

    public init(orderId: UUID, userId: UUID, paymentMethodId: UUID, amount: Money) {
        self.orderId = orderId
        self.userId = userId
        self.paymentMethodId = paymentMethodId
        self.amount = amount
    }
}

/// The public and internal status of a payment.
public enum PaymentStatus: String, Codable, Sendable {
    case authorized, captured, voided, refunded, declined
}

/// Why the processor declined.
public enum DeclineReason: String, Codable, Sendable {
    case cardDeclined = "card_declined"
    case insufficientFunds = "insufficient_funds"
    /// The payment method does not exist or is not the user's.
    case invalidPaymentMethod = "invalid_payment_method"
    case expiredCard = "expired_card"
}

/// The answer of every internal payment endpoint (200, or 201 when a payment was just made):
/// the order's payment as it is after the call.
///
/// A transient processor failure is not an answer of this shape: it is a 503 problem of type
/// `/problems/processor-unavailable`, nothing is recorded, and the caller may retry.
public struct PaymentResult: Codable, Sendable, Equatable {
    public var paymentId: UUID
    public var orderId: UUID
    public var status: PaymentStatus
    public var amount: Money
    /// Set when `declined`.
    public var declineReason: DeclineReason?

    public init(paymentId: UUID, orderId: UUID, status: PaymentStatus, amount: Money, declineReason: DeclineReason? = nil) {
        self.paymentId = paymentId
        self.orderId = orderId
        self.status = status
        self.amount = amount
        self.declineReason = declineReason
    }
}

/// `GET /internal/payment-methods/{id}?userId=` (payment): whether a saved card exists and is
/// the user's (404 problem otherwise).
public struct PaymentMethodCheck: Codable, Sendable, Equatable {
    public var id: UUID
    public var userId: UUID
    public var expired: Bool

    public init(id: UUID, userId: UUID, expired: Bool) {
        self.id = id
        self.userId = userId
        self.expired = expired
    }
}
