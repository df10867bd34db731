import Contracts
import Logging
import PostgresNIO
import ServiceKit

/// The append-only `payment_ledger`: every authorization, decline, capture, void and refund,
/// written in the transaction that changes the payment. Rows are never updated or deleted
/// (a trigger refuses it), and `UNIQUE (payment_id, kind)` makes a second capture or refund of
/// the same payment fail instead of being recorded.
enum PaymentLedger {
    /// Appends `entry` on the transaction's connection, and the event other services hear about
    /// it to the outbox (a void has none; a tombstone has no user and is nobody's news).
    static func append(_ entry: LedgerEntry, of payment: Payment, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO payment_ledger (payment_id, order_id, kind, amount, currency)
            VALUES (\(entry.paymentId), \(entry.orderId), \(entry.kind.rawValue), \(entry.amount.amount), \(entry.amount.currency))
            """,
            logger: logger
        )
        guard let userId = payment.userId, let type = Self.eventType(of: entry.kind) else { return }
        try await OutboxRelay.enqueue(
            type: type,
            subject: entry.orderId.uuidString,
            payload: PaymentEventPayload(
                paymentId: entry.paymentId,
                orderId: entry.orderId,
                userId: userId,
                amount: entry.amount,
                declineReason: entry.kind == .decline ? payment.declineReason?.rawValue : nil
            ),
            on: connection,
            logger: logger
        )
    }

    static func eventType(of kind: LedgerEntry.Kind) -> String? {
        switch kind {
        case .authorize: EventType.paymentAuthorized
        case .decline: EventType.paymentDeclined
        case .capture: EventType.paymentCaptured
        case .refund: EventType.paymentRefunded
        case .void: nil
        }
    }
}
