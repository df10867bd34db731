import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A payment as the public API shows it.
struct PaymentView: Codable, Sendable, Equatable {
    var id: UUID
    var orderId: UUID
    var amount: Money
    var status: String
}

/// Queries of the `payments` table.
struct PaymentRepository: Sendable {
    let database: Database

    /// The payments of an order, only those of `owner` when given.
    func list(orderID: UUID, owner: UUID?, limit: Int, logger: Logger) async throws -> [PaymentView] {
        let rows = try await self.database.client.query(
            """
            SELECT id, order_id, amount, currency, status FROM payments
            WHERE order_id = \(orderID) AND (\(owner)::uuid IS NULL OR user_id = \(owner))
            ORDER BY created_at, id LIMIT \(limit)
            """,
            logger: logger
        )
        var payments: [PaymentView] = []
        for try await (id, orderID, amount, currency, status) in rows.decode((UUID, UUID, Int64, String, String).self) {
            payments.append(PaymentView(id: id, orderId: orderID, amount: Money(amount: amount, currency: currency), status: status))
        }
        return payments
    }
}
