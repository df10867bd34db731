import Contracts
import Foundation

/// One line of the append-only payment ledger: a movement of money on a payment, written in
/// the same transaction as the status change it records.
struct LedgerEntry: Sendable, Equatable {
    /// What happened. A payment has at most one entry of each kind (captured at most once,
    /// refunded at most once).
    enum Kind: String, Sendable, CaseIterable {
        case authorize
        case decline
        case capture
        case void
        case refund
    }

    var paymentId: UUID
    var orderId: UUID
    var kind: Kind
    var amount: Money
}
