import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What a reservation call did, so the caller can answer and log it.
enum ReservationOutcome: Sendable, Equatable {
    /// The order's reservation was recorded just now: held, rejected, or a release tombstone.
    case created(ReservationResult)
    /// The reservation changed status just now (committed or released).
    case changed(ReservationResult)
    /// Nothing changed: the reservation as it is.
    case unchanged(ReservationResult)
    /// Commit refused: the reservation is released, expired or rejected (perhaps expired just now).
    case refused(ReservationResult)
    /// The order has no reservation.
    case unknown
}

/// A `reservations` row this build cannot read (a status outside the enum).
struct UnreadableReservation: Error, CustomStringConvertible {
    let orderId: UUID
    let status: String

    var description: String { "reservation of order \(self.orderId) has unknown status \(self.status)" }
}

/// Holds, commits, releases and expires stock for orders (`reservations`, `reservation_lines`,
/// and the `on_hand` and `held` counts of `products`, moved by ``StockMovement``).
///
/// Each call is one transaction. It locks the order's reservation row first (its primary key
/// serialises concurrent calls for one order), then product rows in ``StockReservation`` lock
/// order, so no two transactions deadlock and stock is neither oversold nor returned twice.
struct ReservationRepository: Sendable {
    let database: Database

    /// Reserves every line or none. An order that already has a reservation (whatever its
    /// status, a release tombstone included) gets it answered unchanged.
    func reserve(_ plan: StockReservation, holdFor hold: Duration, logger: Logger) async throws -> ReservationOutcome {
        let holdSeconds = hold / .seconds(1)
        let outcome: ReservationOutcome = try await self.database.transaction(logger: logger) { connection in
            // A concurrent first request for the same order waits here until this one commits.
            let inserted = try await connection.query(
                """
                INSERT INTO reservations (order_id, status, expires_at)
                VALUES (\(plan.orderId), 'reserved', now() + make_interval(secs => \(holdSeconds)))
                ON CONFLICT (order_id) DO NOTHING
                RETURNING order_id
                """,
                logger: logger
            )
            guard try await Self.hasRow(inserted) else {
                let existing = try await Self.load(plan.orderId, on: connection, logger: logger)
                return existing.map { .unchanged($0.result) } ?? .unknown
            }
            try await connection.query("SAVEPOINT stock_taken", logger: logger)
            var unavailable: [UUID] = []
            var held: [Product] = []
            for line in plan.lines {
                if let product = try await StockMovement.hold.apply(line.quantity, of: line.productId, on: connection, logger: logger) {
                    held.append(product)
                } else {
                    unavailable.append(line.productId)
                }
            }
            guard unavailable.isEmpty else {
                try await connection.query("ROLLBACK TO SAVEPOINT stock_taken", logger: logger)
                try await connection.query(
                    "UPDATE reservations SET status = 'rejected', unavailable = \(unavailable), updated_at = now() WHERE order_id = \(plan.orderId)",
                    logger: logger
                )
                return .created(ReservationResult(orderId: plan.orderId, status: .rejected, unavailable: unavailable))
            }
            try await connection.query(
                """
                INSERT INTO reservation_lines (order_id, product_id, quantity)
                SELECT \(plan.orderId), line.product_id, line.quantity
                FROM unnest(\(plan.lines.map(\.productId))::uuid[], \(plan.lines.map { Int32(clamping: $0.quantity) })::int4[])
                    AS line (product_id, quantity)
                """,
                logger: logger
            )
            for product in held {
                try await InventoryEvents.changed(product, reason: "reserved", on: connection, logger: logger)
            }
            return .created(ReservationResult(orderId: plan.orderId, status: .reserved))
        }
        ReservationMetrics.record(outcome)
        return outcome
    }

    /// Makes held stock sold. A hold past its expiry is expired on the spot (stock back) and
    /// refused, as are released, expired and rejected reservations.
    func commit(orderId: UUID, logger: Logger) async throws -> ReservationOutcome {
        var expiredNow = false
        let outcome: ReservationOutcome = try await self.database.transaction(logger: logger) { connection in
            expiredNow = false
            guard let stored = try await Self.load(orderId, forUpdate: true, on: connection, logger: logger) else { return .unknown }
            switch stored.result.status.commitAction(overdue: stored.overdue) {
            case .commit:
                try await Self.move(.commit, orderIds: [orderId], reason: "committed", on: connection, logger: logger)
                try await Self.setStatus(.committed, of: orderId, on: connection, logger: logger)
                return .changed(ReservationResult(orderId: orderId, status: .committed))
            case .keep:
                return .unchanged(stored.result)
            case .expire:
                try await Self.move(.unhold, orderIds: [orderId], reason: "expired", on: connection, logger: logger)
                try await Self.setStatus(.expired, of: orderId, on: connection, logger: logger)
                expiredNow = true
                return .refused(ReservationResult(orderId: orderId, status: .expired))
            case .refuse:
                return .refused(stored.result)
            }
        }
        ReservationMetrics.record(outcome)
        if expiredNow { ReservationMetrics.expired(1) }
        return outcome
    }

    /// Gives held or sold stock back, exactly once. An order without a reservation gets a
    /// `released` tombstone without lines, so a reservation arriving later is refused.
    func release(orderId: UUID, logger: Logger) async throws -> ReservationOutcome {
        let outcome: ReservationOutcome = try await self.database.transaction(logger: logger) { connection in
            let tombstone = try await connection.query(
                """
                INSERT INTO reservations (order_id, status, expires_at) VALUES (\(orderId), 'released', now())
                ON CONFLICT (order_id) DO NOTHING
                RETURNING order_id
                """,
                logger: logger
            )
            if try await Self.hasRow(tombstone) { return .created(ReservationResult(orderId: orderId, status: .released)) }
            guard let stored = try await Self.load(orderId, forUpdate: true, on: connection, logger: logger) else { return .unknown }
            switch stored.result.status.releaseAction {
            case .giveBack(let movement):
                try await Self.move(movement, orderIds: [orderId], reason: "released", on: connection, logger: logger)
                try await Self.setStatus(.released, of: orderId, on: connection, logger: logger)
                return .changed(ReservationResult(orderId: orderId, status: .released))
            case .keep:
                return .unchanged(stored.result)
            }
        }
        ReservationMetrics.record(outcome)
        return outcome
    }

    /// Expires up to `limit` holds past their expiry and gives their stock back; returns
    /// their order ids. Rows another transaction holds are skipped, so replicas share the work.
    func expireDue(limit: Int, logger: Logger) async throws -> [UUID] {
        let expired: [UUID] = try await self.database.transaction(logger: logger) { connection in
            let due = try await connection.query(
                """
                SELECT order_id FROM reservations
                WHERE status = 'reserved' AND expires_at <= now()
                ORDER BY expires_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            var orderIds: [UUID] = []
            for try await orderId in due.decode(UUID.self) { orderIds.append(orderId) }
            guard !orderIds.isEmpty else { return [] }
            try await Self.move(.unhold, orderIds: orderIds, reason: "expired", on: connection, logger: logger)
            try await connection.query(
                "UPDATE reservations SET status = 'expired', updated_at = now() WHERE order_id = ANY(\(orderIds))",
                logger: logger
            )
            return orderIds
        }
        ReservationMetrics.expired(expired.count)
        return expired
    }

    /// A reservation as stored; `overdue` when its expiry has passed.
    private struct Stored {
        var result: ReservationResult
        var overdue: Bool
    }

    private static func load(_ orderId: UUID, forUpdate: Bool = false, on connection: PostgresConnection, logger: Logger) async throws -> Stored? {
        let rows = try await connection.query(
            """
            SELECT status, unavailable, expires_at <= now() FROM reservations WHERE order_id = \(orderId)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """,
            logger: logger
        )
        for try await (status, unavailable, overdue) in rows.decode((String, [UUID], Bool).self) {
            guard let status = ReservationStatus(rawValue: status) else { throw UnreadableReservation(orderId: orderId, status: status) }
            return Stored(result: ReservationResult(orderId: orderId, status: status, unavailable: unavailable), overdue: overdue)
        }
        return nil
    }

    /// Applies `movement` to the summed lines of `orderIds`, one product at a time in lock order.
    private static func move(
        _ movement: StockMovement,
        orderIds: [UUID],
        reason: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT product_id, sum(quantity)::int8 FROM reservation_lines
            WHERE order_id = ANY(\(orderIds))
            GROUP BY product_id ORDER BY product_id
            """,
            logger: logger
        )
        var lines: [(productId: UUID, quantity: Int)] = []
        for try await (productId, quantity) in rows.decode((UUID, Int).self) { lines.append((productId, quantity)) }
        for line in lines {
            if let product = try await movement.apply(line.quantity, of: line.productId, on: connection, logger: logger) {
                try await InventoryEvents.changed(product, reason: reason, on: connection, logger: logger)
            }
        }
    }

    private static func setStatus(_ status: ReservationStatus, of orderId: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "UPDATE reservations SET status = \(status.rawValue), updated_at = now() WHERE order_id = \(orderId)",
            logger: logger
        )
    }

    private static func hasRow(_ rows: PostgresRowSequence) async throws -> Bool {
        for try await _ in rows { return true }
        return false
    }
}
