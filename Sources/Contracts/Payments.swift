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
/// the order's payment as it is after the call. Authorization answers ``AuthorizationResult``,
/// which carries one of these when a payment was recorded.
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

/// The answer of `POST /internal/payments/authorize` (always 200 or 201): what the card
/// processor said, as a domain outcome.
///
/// A processor that failed transiently is an outcome of the payment, not a failure of the
/// payment service: it is reported here (`processor_unavailable`, nothing recorded, the same
/// request may be retried after `retryAfterSeconds`), never as a 5xx that a caller's circuit
/// breaker would count against the instance.
public struct AuthorizationResult: Codable, Sendable, Equatable {
    /// What became of the request.
    public enum Outcome: String, Codable, Sendable {
        /// A payment was recorded (authorized or declined); see `payment`.
        case recorded
        /// The processor failed transiently; nothing was recorded.
        case processorUnavailable = "processor_unavailable"
    }

    public var outcome: Outcome
    /// The order's payment, when `recorded`.
    public var payment: PaymentResult?
    /// When `processor_unavailable`: how long to wait before trying again.
    public var retryAfterSeconds: Int?

    public init(outcome: Outcome, payment: PaymentResult? = nil, retryAfterSeconds: Int? = nil) {
        self.outcome = outcome
        self.payment = payment
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// A recorded payment.
    public static func recorded(_ payment: PaymentResult) -> Self {
        .init(outcome: .recorded, payment: payment)
    }
}
