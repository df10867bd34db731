import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Another writer appended to the stream first; reload and decide again.
struct ConcurrencyConflict: Error, CustomStringConvertible {
    var orderId: UUID
    var description: String { "order \(self.orderId) was changed concurrently" }
}

/// The append-only event store of orders (`order_events`, optimistic concurrency on the stream
/// version) and its read model (`order_views`), which is written in the same transaction as
/// the events it reflects.
struct OrderStore: Sendable {
    let database: Database

    /// The state of an order from its events; an empty state when it has none.
    func load(_ id: UUID, logger: Logger) async throws -> OrderState {
        let rows = try await self.database.client.query(
            "SELECT version, type, data::text, occurred_at_ms FROM order_events WHERE stream_id = \(id) ORDER BY version",
            logger: logger
        )
        return try await Self.fold(rows)
    }

    /// The same, inside a transaction.
    func load(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> OrderState {
        let rows = try await connection.query(
            "SELECT version, type, data::text, occurred_at_ms FROM order_events WHERE stream_id = \(id) ORDER BY version",
            logger: logger
        )
        return try await Self.fold(rows)
    }

    private static func fold(_ rows: PostgresRowSequence) async throws -> OrderState {
        var state = OrderState()
        for try await (version, type, data, millis) in rows.decode((Int32, String, String, Int64).self) {
            let kind = try OrderEventKind(type: type, data: Data(data.utf8))
            state.apply(OrderEvent(kind: kind, version: Int(version), occurredAtMillis: millis))
        }
        return state
    }

    /// Appends `events` (whose versions continue `state`'s) and updates the read model; throws
    /// ``ConcurrencyConflict`` when someone appended first (the transaction must then be rolled back).
    @discardableResult
    func append(
        _ events: [OrderEvent],
        to state: OrderState,
        orderId: UUID,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws
        -> OrderState
    {
        var state = state
        for event in events {
            let data = String(decoding: try event.kind.encodedData(), as: UTF8.self)
            do {
                try await connection.query(
                    """
                    INSERT INTO order_events (stream_id, version, type, data, occurred_at, occurred_at_ms)
                    VALUES (\(orderId), \(Int32(event.version)), \(event.kind.type), \(data)::jsonb,
                            to_timestamp(\(Double(event.occurredAtMillis) / 1000)), \(event.occurredAtMillis))
                    """,
                    logger: logger
                )
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw ConcurrencyConflict(orderId: orderId)
            }
            state.apply(event)
            try await Self.publish(event, of: state, on: connection, logger: logger)
        }
        try await OrderReadModel.write(state, on: connection, logger: logger)
        return state
    }

    /// The integration events other services hear about, written to the outbox with the change.
    private static func publish(_ event: OrderEvent, of state: OrderState, on connection: PostgresConnection, logger: Logger) async throws {
        guard let placement = state.placement else { return }
        let type: String
        var reason: String?
        switch event.kind {
        case .placed: type = EventType.orderPlaced
        case .confirmed: type = EventType.orderConfirmed
        case .cancelled(let why):
            type = EventType.orderCancelled
            reason = why.rawValue
        default: return
        }
        try await OutboxRelay.enqueue(
            type: type,
            subject: placement.orderId.uuidString,
            payload: OrderEventPayload(orderId: placement.orderId, userId: placement.userId, total: placement.total, reason: reason),
            on: connection,
            logger: logger
        )
    }

    /// Every stream id, oldest first (for rebuilding the read model).
    func allOrderIDs(logger: Logger) async throws -> [UUID] {
        let rows = try await self.database.client.query(
            "SELECT stream_id FROM order_events WHERE version = 1 ORDER BY occurred_at_ms, stream_id",
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }
}
