import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Tracing

/// Moves events from the `outbox` table (written in the same transaction as the state change)
/// to a publisher, oldest first, and marks them sent.
///
/// Order is kept per subject (the aggregate an event is about: an order, an account): an event
/// is published only after every earlier event of its subject. A failed delivery is retried with
/// exponential backoff and holds back the later events of its subject meanwhile; other subjects
/// go on. A batch goes out in one call of the publisher (one Redis pipeline); a batch that holds
/// several events of one subject sends them in rounds, each round the next event of every
/// subject whose previous one was confirmed, so no event ever arrives before its predecessor.
///
/// Safe with several replicas: one relays at a time (a transaction-scoped advisory lock) and its
/// batch is claimed with `FOR UPDATE SKIP LOCKED`. `outbox_lag_seconds` is the age of the oldest
/// unsent event in the batch. Expects the table of ``OutboxRelay/tableDefinition`` with the
/// indexes of ``OutboxRelay/indexDefinition`` and ``OutboxRelay/orderingIndexDefinitions``.
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

    /// Indexes for order per subject (the relay looks for an earlier unsent event of the same
    /// subject) and for purging sent rows (``RetentionRule/sentOutbox``).
    public static let orderingIndexDefinitions = [
        "CREATE INDEX outbox_unsent_by_subject ON outbox (subject, occurred_at, id) WHERE sent_at IS NULL",
        "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL",
    ]

    /// Writes an event to the outbox inside the caller's transaction, with the active trace
    /// (the relay's publish span continues it, and the consumers' spans continue that).
    public static func enqueue<Payload: Encodable>(
        type: String,
        version: Int = 1,
        subject: String,
        payload: Payload,
        correlationId: String? = nil,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let data = String(decoding: try WireJSON.encoder().encode(payload), as: UTF8.self)
        let traceparent = TracePropagation.currentTraceparent()
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
        self.batchSize = max(1, batchSize)
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
            let batch = try await self.claimBatch(on: connection)
            let outcome = await self.deliver(batch)
            if !outcome.sent.isEmpty {
                try await connection.query("UPDATE outbox SET sent_at = now() WHERE id = ANY(\(outcome.sent))", logger: logger)
            }
            for (message, error) in outcome.failed {
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
            }
            let oldest = batch.first.map { Date().timeIntervalSince($0.occurredAt) } ?? 0
            return (outcome.sent.count, oldest)
        }
        Gauge(label: "outbox_lag_seconds").record(lag)
        return delivered
    }

    /// The oldest unsent events that are due, leaving out every event of a subject whose earlier
    /// event is waiting for its retry.
    private func claimBatch(on connection: PostgresConnection) async throws -> [OutboxMessage] {
        let rows = try await connection.query(
            """
            SELECT o.id, o.type, o.version, o.subject, o.payload::text, o.occurred_at, o.correlation_id, o.traceparent, o.attempts
            FROM outbox o
            WHERE o.sent_at IS NULL AND o.next_attempt_at <= now()
              AND NOT EXISTS (
                  SELECT 1 FROM outbox earlier
                  WHERE earlier.subject = o.subject AND earlier.sent_at IS NULL AND earlier.next_attempt_at > now()
                    AND (earlier.occurred_at, earlier.id) < (o.occurred_at, o.id)
              )
            ORDER BY o.occurred_at, o.id LIMIT \(self.batchSize)
            FOR UPDATE OF o SKIP LOCKED
            """,
            logger: self.logger
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
        return batch
    }

    /// What became of a batch: the ids delivered, and the messages that failed with why.
    struct DeliveryOutcome {
        var sent: [UUID] = []
        var failed: [(OutboxMessage, any Error)] = []
    }

    /// Publishes a batch in rounds: each round holds the next message of every subject whose
    /// messages so far were all delivered. One round when no subject has two messages in the batch.
    ///
    /// A message written inside a trace is published in a producer span of that trace, and the
    /// envelope carries that span as the consumers' parent.
    func deliver(_ batch: [OutboxMessage]) async -> DeliveryOutcome {
        var queues = OutboxRounds(batch)
        var outcome = DeliveryOutcome()
        while var round = queues.nextRound() {
            let spans = Self.startPublishSpans(for: &round)
            let results: [Result<Void, any Error>]
            do {
                results = try await self.publisher.publish(round, logger: self.logger)
            } catch {
                results = round.map { _ in .failure(error) }
            }
            for (index, message) in round.enumerated() {
                let result = index < results.count ? results[index] : .failure(OutboxRelayError.missingOutcome)
                if let span = spans[index] {
                    if case .failure(let error) = result {
                        span.recordError(error)
                        span.setStatus(SpanStatus(code: .error))
                    }
                    span.end()
                }
                switch result {
                case .success:
                    outcome.sent.append(message.id)
                case .failure(let error):
                    outcome.failed.append((message, error))
                    queues.block(message.subject)
                }
            }
        }
        return outcome
    }

    /// A producer span per traced message of `round`, whose context replaces the message's
    /// `traceparent`; `nil` for a message written outside any trace.
    static func startPublishSpans(for round: inout [OutboxMessage]) -> [(any Span)?] {
        var spans: [(any Span)?] = []
        spans.reserveCapacity(round.count)
        for index in round.indices {
            guard let parent = round[index].traceparent else {
                spans.append(nil)
                continue
            }
            let span = InstrumentationSystem.tracer.startAnySpan(
                "publish \(round[index].type)",
                context: TracePropagation.context(continuing: parent),
                ofKind: .producer
            )
            span.updateAttributes { attributes in
                attributes["messaging.system"] = "redis"
                attributes["messaging.operation.type"] = "publish"
                attributes["messaging.message.id"] = round[index].id.uuidString
            }
            round[index].traceparent = InstrumentationContext.$current.withValue(span.context) {
                TracePropagation.currentTraceparent()
            }
            spans.append(span)
        }
        return spans
    }
}

/// The publisher answered fewer outcomes than it was given messages.
enum OutboxRelayError: Error {
    case missingOutcome
}

/// A batch split per subject, handed out in rounds of at most one message per subject.
struct OutboxRounds {
    private var queues: [String: ArraySlice<OutboxMessage>] = [:]
    /// Subjects in the order of their first message, so rounds follow the batch's order.
    private var subjects: [String] = []
    private var blocked: Set<String> = []

    init(_ batch: [OutboxMessage]) {
        for message in batch {
            if self.queues[message.subject] == nil { self.subjects.append(message.subject) }
            self.queues[message.subject, default: []].append(message)
        }
    }

    /// The next message of each subject still going; `nil` when none is left.
    mutating func nextRound() -> [OutboxMessage]? {
        var round: [OutboxMessage] = []
        for subject in self.subjects where !self.blocked.contains(subject) {
            if let message = self.queues[subject]?.popFirst() { round.append(message) }
        }
        return round.isEmpty ? nil : round
    }

    /// Stops handing out messages of `subject` (one of its messages failed).
    mutating func block(_ subject: String) {
        self.blocked.insert(subject)
    }
}
