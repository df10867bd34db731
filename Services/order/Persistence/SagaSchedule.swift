import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `saga_schedule`: one row per order whose saga has work left, with when to try next. The
/// row is the saga's persisted "to do": it changes in the same transaction as the events, so a
/// crash at any point leaves either the old or the new state, and the runner resumes.
///
/// A runner takes a saga with a *lease*, not a row lock: ``claimDue(lease:on:logger:)`` commits
/// at once, stamping the row with a fresh lease id and pushing its next attempt past the lease,
/// so no other runner takes it meanwhile and no lock or transaction stays open while the runner
/// calls product or payment. Outcomes are recorded only under the same lease id; a runner that
/// outlived its lease (it was paused, the call hung) finds its write refused and drops it. A
/// runner that dies leaves a lease that runs out, or that it takes back when it starts again at
/// the same address (``reclaim(leasedBy:on:logger:)``).
enum SagaSchedule {
    /// A claimed saga: its order, the lease it holds, how often its current step failed in a
    /// row (for the backoff), and how many of those were the payment processor's transient
    /// failures (which end in `payment_failed` at a limit; an unreachable service only waits
    /// for the deadline).
    struct Claim: Sendable {
        var orderId: UUID
        var leaseId: UUID
        var failedAttempts: Int
        var processorFailures: Int
    }

    /// Makes the order's saga due now (a new order, a customer's cancellation). A saga under
    /// lease is left to its runner, which looks again right after its step.
    static func wake(_ orderId: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO saga_schedule (order_id, next_attempt_at, failed_attempts) VALUES (\(orderId), now(), 0)
            ON CONFLICT (order_id) DO UPDATE SET next_attempt_at = now()
            WHERE saga_schedule.lease_id IS NULL OR saga_schedule.next_attempt_at <= now()
            """,
            logger: logger
        )
    }

    /// Leases the saga that has been due longest and that no other runner holds; `nil` when
    /// nothing is due. One statement, committed on its own.
    static func claimDue(lease: Duration, by runner: String, on client: PostgresClient, logger: Logger) async throws -> Claim? {
        let leaseId = UUID()
        let seconds = Double(lease / .milliseconds(1)) / 1000
        let rows = try await client.query(
            """
            UPDATE saga_schedule SET lease_id = \(leaseId), leased_by = \(runner),
                next_attempt_at = now() + make_interval(secs => \(seconds))
            WHERE order_id = (
                SELECT order_id FROM saga_schedule WHERE next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            RETURNING order_id, failed_attempts, processor_failures
            """,
            logger: logger
        )
        for try await (id, attempts, processorFailures) in rows.decode((UUID, Int32, Int32).self) {
            return Claim(orderId: id, leaseId: leaseId, failedAttempts: Int(attempts), processorFailures: Int(processorFailures))
        }
        return nil
    }

    /// Makes the sagas an earlier process at this runner's address had leased due now: that
    /// process is gone (this one has its address), so its leases need not run out first.
    @discardableResult
    static func reclaim(leasedBy runner: String, on client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE saga_schedule SET next_attempt_at = now(), lease_id = NULL, leased_by = NULL
            WHERE leased_by = \(runner) AND lease_id IS NOT NULL
            RETURNING order_id
            """,
            logger: logger
        )
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        return count
    }

    /// The step succeeded and the same runner goes on with the next one: the lease is renewed
    /// for another `lease` and the failure counts reset. False when the lease was lost.
    static func renew(_ claim: Claim, lease: Duration, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let seconds = Double(lease / .milliseconds(1)) / 1000
        return try await self.holding(
            """
            UPDATE saga_schedule SET next_attempt_at = now() + make_interval(secs => \(seconds)),
                failed_attempts = 0, processor_failures = 0, last_error = NULL
            WHERE order_id = \(claim.orderId) AND lease_id = \(claim.leaseId)
            RETURNING order_id
            """,
            on: connection,
            logger: logger
        )
    }

    /// Gives the saga back for another runner (or this one) to look at again now, unchanged:
    /// the order changed under the step (a customer's cancellation, say).
    static func release(_ claim: Claim, on client: PostgresClient, logger: Logger) async throws {
        try await client.query(
            """
            UPDATE saga_schedule SET next_attempt_at = now(), lease_id = NULL, leased_by = NULL
            WHERE order_id = \(claim.orderId) AND lease_id = \(claim.leaseId)
            """,
            logger: logger
        )
    }

    /// The step failed: try again after `delay`. False when the lease was lost.
    @discardableResult
    static func postpone(
        _ claim: Claim,
        by delay: Duration,
        error: String,
        processorFailure: Bool = false,
        on client: PostgresClient,
        logger: Logger
    ) async throws -> Bool {
        let seconds = Double(delay / .milliseconds(1)) / 1000
        let processorIncrement: Int32 = processorFailure ? 1 : 0
        let rows = try await client.query(
            """
            UPDATE saga_schedule SET next_attempt_at = now() + make_interval(secs => \(seconds)), lease_id = NULL, leased_by = NULL,
                failed_attempts = failed_attempts + 1, processor_failures = processor_failures + \(processorIncrement),
                last_error = \(String(error.prefix(500)))
            WHERE order_id = \(claim.orderId) AND lease_id = \(claim.leaseId)
            RETURNING order_id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Nothing left to do. False when the lease was lost.
    @discardableResult
    static func finish(_ claim: Claim, on client: PostgresClient, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM saga_schedule WHERE order_id = \(claim.orderId) AND lease_id = \(claim.leaseId) RETURNING order_id",
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// The same, in the transaction that records the saga's last events.
    static func finish(_ claim: Claim, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await self.holding(
            "DELETE FROM saga_schedule WHERE order_id = \(claim.orderId) AND lease_id = \(claim.leaseId) RETURNING order_id",
            on: connection,
            logger: logger
        )
    }

    /// Runs `statement` (which matches the row by its lease and returns its id) and says
    /// whether it matched.
    private static func holding(_ statement: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(statement, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}
