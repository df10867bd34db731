import Contracts

/// What a capture or a cancel does to a payment in a given status. Pure: the repository reads
/// the status under a row lock, asks here, and applies the answer.
enum PaymentTransition: Sendable, Equatable {
    /// Change the status and append a ledger entry of this kind.
    case move(to: PaymentStatus, recording: LedgerEntry.Kind)
    /// Nothing to do: the payment is already where the call leads (a repeated call).
    case unchanged
    /// The call is not possible in this status (409), with the reason.
    case refused(String)

    /// A capture takes exactly the authorized amount, once.
    static func capture(from status: PaymentStatus) -> Self {
        switch status {
        case .authorized: .move(to: .captured, recording: .capture)
        case .captured: .unchanged
        case .voided: .refused("The payment was voided; it can no longer be captured.")
        case .refunded: .refused("The payment was refunded; it can no longer be captured.")
        case .declined: .refused("The payment was declined; there is nothing to capture.")
        }
    }

    /// The compensation: an authorization is voided, a capture refunded in full; anything
    /// already settled stays as it is.
    static func cancel(from status: PaymentStatus) -> Self {
        switch status {
        case .authorized: .move(to: .voided, recording: .void)
        case .captured: .move(to: .refunded, recording: .refund)
        case .voided, .refunded, .declined: .unchanged
        }
    }
}
