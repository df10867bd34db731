import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads `payments`; ``record(_:logger:)`` and the transitions (other files) write it, each
/// with its ledger entry in the same transaction.
struct PaymentRepository: Sendable {
    let database: Database

    /// The columns ``decode(_:)`` reads, in order.
    static let columns =
        "id, order_id, user_id, payment_method_id, amount, currency, status, decline_reason, authorized_amount, created_at"

    typealias Row = (UUID, UUID, UUID?, UUID?, Int64, String, String, String?, Int64?, Date)

    /// A stored status or decline reason this build does not know.
    struct UnknownValue: Error, CustomStringConvertible {
        var column: String
        var value: String
        var description: String { "payments.\(self.column) holds unknown value \"\(self.value)\"" }
    }

    /// A page of payments, newest first: `owner`'s only when given, one order's only when given.
    func list(owner: UUID?, orderId: UUID?, after cursor: ListCursor?, limit: Int, logger: Logger) async throws -> ListSlice<PaymentView> {
        let rows = try await self.database.client.query(
            """
            SELECT \(unescaped: Self.columns), (extract(epoch FROM created_at) * 1000000)::int8
            FROM payments
            WHERE (\(owner)::uuid IS NULL OR user_id = \(owner))
              AND (\(orderId)::uuid IS NULL OR order_id = \(orderId))
              AND (\(cursor?.createdAtMicros)::int8 IS NULL
                   OR (created_at, id) < ('epoch'::timestamptz + \(cursor?.createdAtMicros) * interval '1 microsecond', \(cursor?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var page: [(item: PaymentView, position: ListCursor)] = []
        for try await row in rows.decode((UUID, UUID, UUID?, UUID?, Int64, String, String, String?, Int64?, Date, Int64).self) {
            let payment = try Self.decode((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
            page.append((payment.view, ListCursor(createdAtMicros: row.10, id: payment.id)))
        }
        return ListSlice(page, limit: limit)
    }

    /// The payment of an order, if it has one.
    func find(orderId: UUID, logger: Logger) async throws -> Payment? {
        let rows = try await self.database.client.query(
            "SELECT \(unescaped: Self.columns) FROM payments WHERE order_id = \(orderId)",
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.decode(row) }
        return nil
    }

    /// The payment of an order inside a transaction, locked until it ends when `locking`.
    static func find(orderId: UUID, locking: Bool, on connection: PostgresConnection, logger: Logger) async throws -> Payment? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM payments WHERE order_id = \(orderId)\(unescaped: locking ? " FOR UPDATE" : "")",
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return try Self.decode(row) }
        return nil
    }

    static func decode(_ row: Row) throws -> Payment {
        guard let status = PaymentStatus(rawValue: row.6) else { throw UnknownValue(column: "status", value: row.6) }
        let reason = try row.7.map { text in
            guard let reason = DeclineReason(rawValue: text) else { throw UnknownValue(column: "decline_reason", value: text) }
            return reason
        }
        return Payment(
            id: row.0,
            orderId: row.1,
            userId: row.2,
            paymentMethodId: row.3,
            amount: Money(amount: row.4, currency: row.5),
            status: status,
            declineReason: reason,
            authorizedAmount: row.8,
            createdAt: row.9
        )
    }
}
