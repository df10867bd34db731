import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// One event waiting in a service's `outbox` table.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    public var type: String
    /// The payload's schema version.
    public var version: Int
    /// The entity the event is about (an account id, an order id).
    public var subject: String
    /// The event's data, JSON text.
    public var payload: String
    public var occurredAt: Date
    /// The request id that caused the event.
    public var correlationId: String?
    public var traceparent: String?
    /// Failed deliveries so far.
    public var attempts: Int

    public init(
        id: UUID,
        type: String,
        version: Int = 1,
        subject: String,
        payload: String,
        occurredAt: Date,
        correlationId: String? = nil,
        traceparent: String? = nil,
        attempts: Int = 0
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.subject = subject
        self.payload = payload
        self.occurredAt = occurredAt
        self.correlationId = correlationId
        self.traceparent = traceparent
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
/// Safe with several replicas: one relays at a time (a transaction-scoped advisory lock, so
/// events leave in the order they were written), and its batch is claimed with
/// `FOR UPDATE SKIP LOCKED`. A failed delivery stops the batch (so events keep their order)
/// and is retried with exponential backoff. `outbox_lag_seconds` is the age of the oldest
/// unsent event. Expects the table of ``OutboxRelay/tableDefinition``.
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
            occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz,
            version integer NOT NULL DEFAULT 1,
            correlation_id text,
            traceparent text
        )
        """

    /// The index the relay's query uses.
    public static let indexDefinition = "CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL"

    /// Writes an event to the outbox inside the caller's transaction.
    public static func enqueue<Payload: Encodable>(
        type: String,
        version: Int = 1,
        subject: String,
        payload: Payload,
        correlationId: String? = nil,
        traceparent: String? = nil,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let data = String(decoding: try WireJSON.encoder().encode(payload), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO outbox (id, type, version, subject, payload, correlation_id, traceparent)
            VALUES (\(UUID()), \(type), \(Int32(version)), \(subject), \(data)::jsonb, \(correlationId), \(traceparent))
            """,
            logger: logger
        )
    }

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
        try await runUntilShutdown {
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
            let lock = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext('outbox relay'))", logger: logger)
            var relaying = false
            for try await locked in lock.decode(Bool.self) { relaying = locked }
            // Another replica is relaying right now; events stay in order by leaving it alone.
            guard relaying else { return (0, 0) }
            let rows = try await connection.query(
                """
                SELECT id, type, version, subject, payload::text, occurred_at, correlation_id, traceparent, attempts FROM outbox
                WHERE sent_at IS NULL AND next_attempt_at <= now()
                ORDER BY occurred_at, id LIMIT \(self.batchSize)
                FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            var batch: [OutboxMessage] = []
            for try await row in rows.decode((UUID, String, Int32, String, String, Date, String?, String?, Int32).self) {
                batch.append(
                    OutboxMessage(
                        id: row.0,
                        type: row.1,
                        version: Int(row.2),
                        subject: row.3,
                        payload: row.4,
                        occurredAt: row.5,
                        correlationId: row.6,
                        traceparent: row.7,
                        attempts: Int(row.8)
                    )
                )
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
