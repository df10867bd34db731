import Contracts
import Foundation
import Logging
import PostgresNIO

extension PaymentRepository {
    /// Records `payment` (authorized, declined, or a voided tombstone) with its ledger entry,
    /// unless the order already has a payment: `order_id` is unique, so of concurrent calls
    /// for one order exactly one inserts. Returns the order's payment as it is now and whether
    /// this call made it.
    func record(_ payment: Payment, logger: Logger) async throws -> (payment: Payment, created: Bool) {
        try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO payments (id, order_id, user_id, payment_method_id, amount, currency, status, decline_reason, authorized_amount)
                VALUES (\(payment.id), \(payment.orderId), \(payment.userId), \(payment.paymentMethodId), \(payment.amount.amount),
                        \(payment.amount.currency), \(payment.status.rawValue), \(payment.declineReason?.rawValue), \(payment.authorizedAmount))
                ON CONFLICT (order_id) DO NOTHING
                RETURNING created_at
                """,
                logger: logger
            )
            var inserted: Date?
            for try await createdAt in rows.decode(Date.self) { inserted = createdAt }
            guard let inserted else {
                // Another call recorded this order's payment first (it waited for that one to
                // commit): answer what is there.
                guard let existing = try await Self.find(orderId: payment.orderId, locking: false, on: connection, logger: logger) else {
                    throw MissingRow(expected: "the payment of order \(payment.orderId)")
                }
                return (existing, false)
            }
            let entry = LedgerEntry(paymentId: payment.id, orderId: payment.orderId, kind: Self.ledgerKind(of: payment), amount: payment.amount)
            try await PaymentLedger.append(entry, of: payment, on: connection, logger: logger)
            var recorded = payment
            recorded.createdAt = inserted
            return (recorded, true)
        }
    }

    /// The entry a new payment opens the ledger with.
    static func ledgerKind(of payment: Payment) -> LedgerEntry.Kind {
        switch payment.status {
        case .declined: .decline
        case .voided: .void
        case .authorized, .captured, .refunded: .authorize
        }
    }
}
