import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `saga_schedule`: one row per order whose saga has work left, with when to try next. The
/// row is the saga's persisted "to do": it is written in the same transaction as the events,
/// so a crash at any point leaves either the old or the new state, and the runner resumes.
enum SagaSchedule {
    /// A claimed saga: its order, how often its current step failed in a row (for the backoff),
    /// and how many of those were the payment processor's transient failures (which end in
    /// `payment_failed` at a limit; an unreachable service only waits for the deadline).
    struct Claim: Sendable {
        var orderId: UUID
        var failedAttempts: Int
        var processorFailures: Int
    }

    /// Makes the order's saga due now (a new order, a customer's cancellation).
    static func wake(_ orderId: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO saga_schedule (order_id, next_attempt_at, failed_attempts) VALUES (\(orderId), now(), 0)
            ON CONFLICT (order_id) DO UPDATE SET next_attempt_at = now()
            """,
            logger: logger
        )
    }

    /// Locks one due saga that no other runner holds, for the rest of the transaction.
    static func claimDue(on connection: PostgresConnection, logger: Logger) async throws -> Claim? {
        let rows = try await connection.query(
            """
            SELECT order_id, failed_attempts, processor_failures FROM saga_schedule
            WHERE next_attempt_at <= now()
            ORDER BY next_attempt_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        for try await (id, attempts, processorFailures) in rows.decode((UUID, Int32, Int32).self) {
            return Claim(orderId: id, failedAttempts: Int(attempts), processorFailures: Int(processorFailures))
        }
        return nil
    }

    /// The step succeeded: go on at once.
    static func advance(_ orderId: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE saga_schedule SET next_attempt_at = now(), failed_attempts = 0, processor_failures = 0, last_error = NULL
            WHERE order_id = \(orderId)
            """,
            logger: logger
        )
    }

    /// The step failed: try again after `delay`.
    static func postpone(
        _ orderId: UUID,
        by delay: Duration,
        error: String,
        processorFailure: Bool = false,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let seconds = Double(delay / .milliseconds(1)) / 1000
        let processorIncrement: Int32 = processorFailure ? 1 : 0
        try await connection.query(
            """
            UPDATE saga_schedule SET next_attempt_at = now() + make_interval(secs => \(seconds)),
                failed_attempts = failed_attempts + 1, processor_failures = processor_failures + \(processorIncrement),
                last_error = \(String(error.prefix(500)))
            WHERE order_id = \(orderId)
            """,
            logger: logger
        )
    }

    /// Nothing left to do.
    static func finish(_ orderId: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM saga_schedule WHERE order_id = \(orderId)", logger: logger)
    }
}
