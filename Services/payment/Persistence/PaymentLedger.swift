import Logging
import PostgresNIO

/// The append-only `payment_ledger`: every authorization, decline, capture, void and refund,
/// written in the transaction that changes the payment. Rows are never updated or deleted
/// (a trigger refuses it), and `UNIQUE (payment_id, kind)` makes a second capture or refund of
/// the same payment fail instead of being recorded.
enum PaymentLedger {
    /// Appends `entry` on the transaction's connection.
    static func append(_ entry: LedgerEntry, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO payment_ledger (payment_id, order_id, kind, amount, currency)
            VALUES (\(entry.paymentId), \(entry.orderId), \(entry.kind.rawValue), \(entry.amount.amount), \(entry.amount.currency))
            """,
            logger: logger
        )
    }
}
