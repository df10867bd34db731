import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceKit

/// Where an order page ends: creation time (epoch ms) and id, newest first.
struct OrderCursor: Codable, Sendable {
    var createdAtMillis: Int64
    var id: UUID
}

/// The query side (CQRS): `order_views` holds each order rendered as the API shows it, derived
/// only from its events, so it can be dropped and rebuilt at any time.
struct OrderReadModel: Sendable {
    let database: Database

    /// The rendered order and its owner.
    struct Entry: Sendable {
        var userId: UUID
        var document: String
    }

    /// Renders `state` into the read model (insert or replace).
    static func write(_ state: OrderState, on connection: PostgresConnection, logger: Logger) async throws {
        guard let view = OrderView(state), let first = state.history.first else { return }
        let document = String(decoding: try WireJSON.encoder().encode(view), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO order_views (id, user_id, status, created_at_ms, version, document)
            VALUES (\(view.id), \(view.userId), \(view.status.rawValue), \(first.occurredAtMillis), \(Int32(state.version)), \(document))
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version, document = excluded.document
            WHERE order_views.version <= excluded.version
            """,
            logger: logger
        )
    }

    func find(id: UUID, logger: Logger) async throws -> Entry? {
        let rows = try await self.database.client.query(
            "SELECT user_id, document::text FROM order_views WHERE id = \(id)",
            logger: logger
        )
        for try await (userId, document) in rows.decode((UUID, String).self) {
            return Entry(userId: userId, document: document)
        }
        return nil
    }

    /// A page of orders, newest first: the caller's own, or everyone's when `owner` is nil.
    func list(
        owner: UUID?,
        status: OrderStatus?,
        after cursor: OrderCursor?,
        limit: Int,
        logger: Logger
    ) async throws -> (
        documents: [String], next: OrderCursor?
    ) {
        let beforeMillis = cursor?.createdAtMillis ?? Int64.max
        let beforeID = cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let rows = try await self.database.client.query(
            """
            SELECT id, created_at_ms, document::text FROM order_views
            WHERE (\(owner)::uuid IS NULL OR user_id = \(owner))
              AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (created_at_ms, id) < (\(beforeMillis), \(beforeID))
            ORDER BY created_at_ms DESC, id DESC
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var documents: [String] = []
        var positions: [OrderCursor] = []
        for try await (id, millis, document) in rows.decode((UUID, Int64, String).self) {
            documents.append(document)
            positions.append(OrderCursor(createdAtMillis: millis, id: id))
        }
        guard documents.count > limit else { return (documents, nil) }
        documents.removeLast()
        return (documents, positions[limit - 1])
    }

    /// Replaces the whole read model with one rendered from the event store; returns how many
    /// orders it holds.
    static func rebuild(store: OrderStore, logger: Logger) async throws -> Int {
        let ids = try await store.allOrderIDs(logger: logger)
        try await store.database.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM order_views", logger: logger)
            for id in ids {
                let state = try await store.load(id, on: connection, logger: logger)
                try await Self.write(state, on: connection, logger: logger)
            }
        }
        return ids.count
    }
}
