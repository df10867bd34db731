import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// An order as the public API shows it.
struct OrderView: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable {
        var productId: UUID
        var name: String
        var quantity: Int
        var unitPrice: Money
    }

    struct HistoryEntry: Codable, Sendable, Equatable {
        var type: String
        var at: Date
    }

    var id: UUID
    var userId: UUID
    var status: String
    var items: [Line]
    var total: Money
    var cancellationReason: String?
    var createdAt: Date
    var updatedAt: Date
    var history: [HistoryEntry]
}

/// Queries of the `order_views` read model.
struct OrderReadModel: Sendable {
    let database: Database

    func find(id: UUID, logger: Logger) async throws -> OrderView? {
        let rows = try await self.database.client.query(
            """
            SELECT id, user_id, status, items::text, total_amount, total_currency, cancellation_reason, history::text, created_at, updated_at
            FROM order_views WHERE id = \(id)
            """,
            logger: logger
        )
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for try await row in rows.decode((UUID, UUID, String, String, Int64, String, String?, String, Date, Date).self) {
            return OrderView(
                id: row.0,
                userId: row.1,
                status: row.2,
                items: try decoder.decode([OrderView.Line].self, from: Data(row.3.utf8)),
                total: Money(amount: row.4, currency: row.5),
                cancellationReason: row.6,
                createdAt: row.8,
                updatedAt: row.9,
                history: try decoder.decode([OrderView.HistoryEntry].self, from: Data(row.7.utf8))
            )
        }
        return nil
    }
}
