import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// One event waiting in a service's `outbox` table.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    public var type: String
    /// The entity the event is about (an account id, an order id).
    public var subject: String
    /// The event's data, JSON text.
    public var payload: String
    public var occurredAt: Date
    /// Failed deliveries so far.
    public var attempts: Int

    public init(id: UUID, type: String, subject: String, payload: String, occurredAt: Date, attempts: Int) {
        self.id = id
        self.type = type
        self.subject = subject
        self.payload = payload
        self.occurredAt = occurredAt
        self.attempts = attempts
    }
}

/// Delivers outbox messages somewhere; must be idempotent per message id, since a crash
/// between delivering and marking sent delivers again.
public protocol OutboxPublisher: Sendable {
    func publish(_ message: OutboxMessage, logger: Logger) async throws
}

/// Moves events from the `outbox` table (written in the same transaction as the state change)
/// to a publisher, oldest first, and marks them sent.
///
/// Safe with several replicas: a batch is claimed with `FOR UPDATE SKIP LOCKED`. A failed
/// delivery stops the batch (so events keep their order) and is retried with exponential
/// backoff. Expects the table of ``OutboxRelay/tableDefinition``.
public struct OutboxRelay: Service {
    let database: Database
    let publisher: any OutboxPublisher
    let logger: Logger
    let pollInterval: Duration
    let batchSize: Int
    let retry: Backoff

    /// The schema the relay reads and writes.
    public static let tableDefinition = """
        CREATE TABLE outbox (
            id uuid PRIMARY KEY,
            type text NOT NULL,
            subject text NOT NULL,
            payload jsonb NOT NULL,
            occurred_at timestamptz NOT NULL DEFAULT now(),
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz
        )
        """

    public init(
        database: Database,
        publisher: any OutboxPublisher,
        logger: Logger,
        pollInterval: Duration = .milliseconds(250),
        batchSize: Int = 50,
        retry: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
    ) {
        self.database = database
        self.publisher = publisher
        self.logger = logger
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.retry = retry
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var delivered = 0
                do {
                    delivered = try await self.relayBatch()
                } catch {
                    self.logger.warning("outbox relay failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                if delivered < self.batchSize {
                    try await Task.sleep(for: self.pollInterval)
                }
            }
        }
    }

    /// Claims and delivers one batch; returns how many were delivered.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let logger = self.logger
        let (delivered, lag) = try await self.database.transaction(logger: logger) { connection -> (Int, Double) in
            let rows = try await connection.query(
                """
                SELECT id, type, subject, payload::text, occurred_at, attempts FROM outbox
                WHERE sent_at IS NULL AND next_attempt_at <= now()
                ORDER BY occurred_at, id LIMIT \(self.batchSize)
                FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            var batch: [OutboxMessage] = []
            for try await (id, type, subject, payload, occurredAt, attempts) in rows.decode((UUID, String, String, String, Date, Int32).self) {
                batch.append(OutboxMessage(id: id, type: type, subject: subject, payload: payload, occurredAt: occurredAt, attempts: Int(attempts)))
            }
            var delivered = 0
            for message in batch {
                do {
                    try await self.publisher.publish(message, logger: logger)
                } catch {
                    let delay = self.retry.delay(afterAttempt: message.attempts + 1)
                    let seconds = Double(delay / .milliseconds(1)) / 1000
                    logger.warning(
                        "outbox delivery failed",
                        metadata: ["event.id": "\(message.id)", "event.type": "\(message.type)", "retry.in": "\(seconds)", "error": "\(error)"]
                    )
                    try await connection.query(
                        """
                        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(seconds))
                        WHERE id = \(message.id)
                        """,
                        logger: logger
                    )
                    break
                }
                try await connection.query("UPDATE outbox SET sent_at = now() WHERE id = \(message.id)", logger: logger)
                delivered += 1
            }
            let oldest = batch.first.map { Date().timeIntervalSince($0.occurredAt) } ?? 0
            return (delivered, oldest)
        }
        Gauge(label: "outbox_lag_seconds").record(lag)
        return delivered
    }
}

/// Exponential backoff with equal jitter (a random delay between half the ceiling and the
/// ceiling), capped.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling of the delay after the `attempt`-th failure (1-based): initial × 2^(attempt-1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let scaled = self.initial * (1 << exponent)
        return min(scaled, self.maximum)
    }

    /// A random delay between half the ceiling and the ceiling.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = self.ceiling(afterAttempt: attempt)
        let milliseconds = max(1, Int64(ceiling / .milliseconds(1)))
        return .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds))
    }
}
