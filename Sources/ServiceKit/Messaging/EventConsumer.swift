import Contracts
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Tracing

/// Handles one event inside the transaction that also records it in the inbox; throwing
/// rolls both back, and the event is retried.
public protocol EventHandler: Sendable {
    /// The event types this handler acts on; others are acknowledged without effect.
    var eventTypes: Set<String> { get }
    func handle(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws
}

/// How a consumer retries.
public struct ConsumerPolicy: Sendable, Equatable {
    /// Deliveries before a message goes to the dead-letter stream.
    public var maxAttempts: Int
    public var retry: Backoff
    /// A message pending this long with another consumer is taken over (that consumer died).
    public var claimIdle: Duration
    /// How long to wait when nothing arrived.
    public var pollInterval: Duration
    public var batchSize: Int

    public init(
        maxAttempts: Int = 5,
        retry: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30)),
        claimIdle: Duration = .seconds(30),
        pollInterval: Duration = .milliseconds(200),
        batchSize: Int = 20
    ) {
        self.maxAttempts = maxAttempts
        self.retry = retry
        self.claimIdle = claimIdle
        self.pollInterval = pollInterval
        self.batchSize = batchSize
    }

    /// Reads `CONSUMER_MAX_ATTEMPTS`, `CONSUMER_RETRY_INITIAL_SECONDS`, `CONSUMER_RETRY_MAX_SECONDS`,
    /// `CONSUMER_CLAIM_IDLE_SECONDS` and `CONSUMER_POLL_SECONDS`.
    public init(settings: SettingsReader) throws {
        self.init(
            maxAttempts: try settings.int("consumer.maxAttempts", default: 5, range: 1...1_000),
            retry: Backoff(
                initial: try settings.seconds("consumer.retryInitialSeconds", default: .milliseconds(500), range: 0.01...600),
                maximum: try settings.seconds("consumer.retryMaxSeconds", default: .seconds(30), range: 0.01...3_600)
            ),
            claimIdle: try settings.seconds("consumer.claimIdleSeconds", default: .seconds(30), range: 0.1...86_400),
            pollInterval: try settings.seconds("consumer.pollSeconds", default: .milliseconds(200), range: 0.01...60)
        )
    }
}

/// Reads other services' event streams in a consumer group (one group per consuming service,
/// so replicas share the work) with at-least-once delivery and an exactly-once effect:
///
/// - each event's id goes into the `inbox` table in the same transaction as the handler's
///   effect, so a redelivered event is acknowledged without a second effect;
/// - a failed event stays pending and is retried after a backoff that grows with its delivery
///   count; after `maxAttempts` deliveries it moves to the dead-letter stream
///   (`deadletter:<group>`) and the consumer goes on;
/// - events left pending by a consumer that died are claimed after `claimIdle`.
public struct EventConsumer: Service {
    let redis: RedisClient
    let database: Database
    let group: String
    let consumer: String
    let streams: [String]
    let handler: any EventHandler
    let policy: ConsumerPolicy
    let logger: Logger

    /// The inbox table a consuming service's migrations must create.
    public static let inboxTableDefinition = """
        CREATE TABLE inbox (
            event_id uuid PRIMARY KEY,
            event_type text NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// The index that purging old inbox ids uses (``RetentionRule/inbox``).
    public static let inboxRetentionIndexDefinition = "CREATE INDEX inbox_handled_at ON inbox (handled_at)"

    public init(
        redis: RedisClient,
        database: Database,
        group: String,
        consumer: String,
        streams: [String],
        handler: any EventHandler,
        policy: ConsumerPolicy,
        logger: Logger
    ) {
        self.redis = redis
        self.database = database
        self.group = group
        self.consumer = consumer
        self.streams = streams
        self.handler = handler
        self.policy = policy
        self.logger = logger
    }

    public func run() async throws {
        for stream in self.streams {
            Counter(label: "events_dead_lettered_total", dimensions: [("group", self.group), ("stream", stream)]).increment(by: 0)
        }
        for type in self.handler.eventTypes {
            Counter(label: "events_consumed_total", dimensions: [("group", self.group), ("type", type)]).increment(by: 0)
        }
        try await runUntilShutdown {
            var groupsReady = false
            var lastHousekeeping = ContinuousClock.now - .seconds(60)
            while !Task.isCancelled {
                var handled = 0
                do {
                    if !groupsReady {
                        try await self.createGroups()
                        groupsReady = true
                    }
                    if ContinuousClock.now - lastHousekeeping >= .seconds(1) {
                        lastHousekeeping = ContinuousClock.now
                        handled += try await self.retryPending()
                        try await self.claimAbandoned()
                        await self.recordLag()
                    }
                    handled += try await self.readNew()
                } catch {
                    groupsReady = groupsReady && !Self.isMissingGroup(error)
                    self.logger.warning("event consumer failed", metadata: ["consumer.group": "\(self.group)", "error": "\(error)"])
                }
                if handled == 0 { try await Task.sleep(for: self.policy.pollInterval) }
            }
        }
    }

    /// The dead-letter stream of a consumer group.
    public static func deadLetterStream(group: String) -> String { "deadletter:\(group)" }

    // MARK: Reading

    private func createGroups() async throws {
        for stream in self.streams {
            do {
                try await self.redis.send("XGROUP", "CREATE", RedisArgument(stream), RedisArgument(self.group), "0", "MKSTREAM")
            } catch RedisClientError.server(let message) where message.hasPrefix("BUSYGROUP") {
                continue
            }
        }
    }

    private static func isMissingGroup(_ error: any Error) -> Bool {
        if case RedisClientError.server(let message) = error { return message.hasPrefix("NOGROUP") }
        return false
    }

    /// New messages for this group.
    private func readNew() async throws -> Int {
        var command: [RedisArgument] = [
            "XREADGROUP", "GROUP", RedisArgument(self.group), RedisArgument(self.consumer),
            "COUNT", RedisArgument(String(self.policy.batchSize)), "STREAMS",
        ]
        command += self.streams.map { RedisArgument($0) }
        command += self.streams.map { _ in ">" }
        let entries = StreamEntry.parseRead(try await self.redis.send(command))
        for entry in entries { await self.process(entry, deliveries: 1) }
        return entries.count
    }

    /// This consumer's pending messages whose backoff has passed: retried, or dead-lettered.
    private func retryPending() async throws -> Int {
        var retried = 0
        for stream in self.streams {
            let reply = try await self.redis.send(
                "XPENDING",
                RedisArgument(stream),
                RedisArgument(self.group),
                "-",
                "+",
                RedisArgument(String(self.policy.batchSize)),
                RedisArgument(self.consumer)
            )
            for item in reply.array ?? [] {
                guard let fields = item.array, fields.count == 4, let id = fields[0].string,
                    let idle = fields[2].int, let deliveries = fields[3].int
                else { continue }
                let wait = self.policy.retry.ceiling(afterAttempt: deliveries)
                guard idle >= Int(wait / .milliseconds(1)) else { continue }
                let claimed = try await self.redis.send(
                    "XCLAIM",
                    RedisArgument(stream),
                    RedisArgument(self.group),
                    RedisArgument(self.consumer),
                    "0",
                    RedisArgument(id)
                )
                for case let entry? in (claimed.array ?? []).map({ StreamEntry(stream: stream, reply: $0) }) {
                    // The count comes from Redis: saturate rather than trap.
                    await self.process(entry, deliveries: deliveries == .max ? deliveries : deliveries + 1)
                    retried += 1
                }
                if claimed.array?.isEmpty ?? true {
                    // Trimmed from the stream meanwhile: nothing left to deliver.
                    try await self.redis.send("XACK", RedisArgument(stream), RedisArgument(self.group), RedisArgument(id))
                }
            }
        }
        return retried
    }

    /// Takes over messages that another consumer of the group left pending for too long.
    private func claimAbandoned() async throws {
        let idle = String(Int(self.policy.claimIdle / .milliseconds(1)))
        for stream in self.streams {
            // Claimed messages become this consumer's pending ones and are retried by `retryPending`.
            try await self.redis.send(
                "XAUTOCLAIM",
                RedisArgument(stream),
                RedisArgument(self.group),
                RedisArgument(self.consumer),
                RedisArgument(idle),
                "0-0",
                "COUNT",
                RedisArgument(String(self.policy.batchSize)),
                "JUSTID"
            )
        }
    }

    // MARK: Handling

    /// Handles one delivery; acknowledges on success (or when it was handled before), leaves it
    /// pending on failure, dead-letters it when it is poison or out of attempts.
    func process(_ entry: StreamEntry, deliveries: Int) async {
        var logger = self.logger
        logger[metadataKey: "event.stream"] = "\(entry.stream)"
        logger[metadataKey: "event.entry"] = "\(entry.id)"
        let envelope: EventEnvelope
        do {
            guard let json = entry.fields["envelope"] else { throw PoisonEvent(reason: "no envelope field") }
            envelope = try EventCoding.decoder().decode(EventEnvelope.self, from: Data(json.utf8))
        } catch {
            await self.deadLetter(entry, deliveries: deliveries, error: "unreadable envelope: \(error)", logger: logger)
            return
        }
        logger[metadataKey: "event.id"] = "\(envelope.id)"
        logger[metadataKey: "event.type"] = "\(envelope.type)"
        if let correlation = envelope.correlationId { logger[metadataKey: "requestId"] = "\(correlation)" }
        // The handling continues the publisher's trace, as a consumer span of it.
        guard envelope.traceparent != nil else {
            await self.handle(envelope, of: entry, deliveries: deliveries, logger: logger)
            return
        }
        let span = InstrumentationSystem.tracer.startAnySpan(
            "process \(envelope.type)",
            context: TracePropagation.context(continuing: envelope.traceparent),
            ofKind: .consumer
        )
        span.updateAttributes { attributes in
            attributes["messaging.system"] = "redis"
            attributes["messaging.operation.type"] = "process"
            attributes["messaging.consumer.group.name"] = self.group
            attributes["messaging.destination.name"] = entry.stream
            attributes["messaging.message.id"] = envelope.id.uuidString
        }
        defer { span.end() }
        await InstrumentationContext.$current.withValue(span.context) {
            await self.handle(envelope, of: entry, deliveries: deliveries, logger: logger)
        }
    }

    /// Handles a decoded envelope: acknowledges on success (or when it was handled before),
    /// leaves it pending on failure, dead-letters it when it is poison or out of attempts.
    private func handle(_ envelope: EventEnvelope, of entry: StreamEntry, deliveries: Int, logger: Logger) async {
        do {
            if self.handler.eventTypes.contains(envelope.type) {
                try await self.database.transaction(logger: logger) { connection in
                    let rows = try await connection.query(
                        "INSERT INTO inbox (event_id, event_type) VALUES (\(envelope.id), \(envelope.type)) ON CONFLICT DO NOTHING RETURNING event_id",
                        logger: logger
                    )
                    var first = false
                    for try await _ in rows.decode(UUID.self) { first = true }
                    guard first else {
                        logger.debug("event already handled")
                        return
                    }
                    try await self.handler.handle(envelope, on: connection, logger: logger)
                }
                Counter(label: "events_consumed_total", dimensions: [("group", self.group), ("type", envelope.type)]).increment()
            }
            try await self.redis.send("XACK", RedisArgument(entry.stream), RedisArgument(self.group), RedisArgument(entry.id))
        } catch {
            if error is PoisonEvent || error is DecodingError || deliveries >= self.policy.maxAttempts {
                await self.deadLetter(entry, deliveries: deliveries, error: "\(error)", logger: logger)
            } else {
                logger.warning("event handling failed; will retry", metadata: ["event.deliveries": "\(deliveries)", "error": "\(error)"])
            }
        }
    }

    private func deadLetter(_ entry: StreamEntry, deliveries: Int, error: String, logger: Logger) async {
        do {
            _ = try await self.redis.pipeline([
                [
                    "XADD", RedisArgument(Self.deadLetterStream(group: self.group)), "MAXLEN", "~", "100000", "*",
                    "stream", RedisArgument(entry.stream),
                    "entry", RedisArgument(entry.id),
                    "envelope", RedisArgument(entry.fields["envelope"] ?? ""),
                    "error", RedisArgument(String(error.prefix(1000))),
                    "deliveries", RedisArgument(String(deliveries)),
                ],
                ["XACK", RedisArgument(entry.stream), RedisArgument(self.group), RedisArgument(entry.id)],
            ])
            logger.error("event dead-lettered", metadata: ["event.deliveries": "\(deliveries)", "error": "\(error)"])
            Counter(label: "events_dead_lettered_total", dimensions: [("group", self.group), ("stream", entry.stream)]).increment()
        } catch {
            logger.warning("could not dead-letter an event; it stays pending", metadata: ["error": "\(error)"])
        }
    }

    /// `event_consumer_lag_messages{group, stream}`: entries not yet delivered to the group;
    /// `event_dead_letters{group}`: entries in the group's dead-letter stream.
    private func recordLag() async {
        if let letters = try? await self.redis.send("XLEN", RedisArgument(Self.deadLetterStream(group: self.group))) {
            Gauge(label: "event_dead_letters", dimensions: [("group", self.group)]).record(letters.int ?? 0)
        }
        for stream in self.streams {
            guard let reply = try? await self.redis.send("XINFO", "GROUPS", RedisArgument(stream)) else { continue }
            for group in reply.array ?? [] {
                let flat = group.array ?? []
                var fields: [String: RESPValue] = [:]
                var index = 0
                while index + 1 < flat.count {
                    if let name = flat[index].string { fields[name] = flat[index + 1] }
                    index += 2
                }
                guard fields["name"]?.string == self.group else { continue }
                let lag = fields["lag"]?.int ?? 0
                Gauge(label: "event_consumer_lag_messages", dimensions: [("group", self.group), ("stream", stream)]).record(lag)
            }
        }
    }
}

/// An event that cannot be handled however often it is tried: a handler throws it (as a
/// payload that does not decode is) to send the event to the dead-letter stream at once.
public struct PoisonEvent: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "poison event: \(self.reason)" }

    public init(reason: String) {
        self.reason = reason
    }
}
