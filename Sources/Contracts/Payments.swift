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
