import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Synchronization
import Testing

/// Inserts one row per handled event into `consumer_test_effects`; fails for `test.poison`.
private struct RecordingHandler: EventHandler {
    let table: String
    var eventTypes: Set<String> { ["test.good", "test.poison", "test.flaky"] }
    let flakyFailures: FailureBudget

    init(table: String, flakyFailures: Int = 0) {
        self.table = table
        self.flakyFailures = FailureBudget(flakyFailures)
    }

    func handle(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws {
        if event.type == "test.poison" { throw HandlerFailure() }
        if event.type == "test.flaky" {
            if self.flakyFailures.spend() { throw HandlerFailure() }
        }
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(self.table) (event_id) VALUES ($1)", binds: try Self.binds(event.id)),
            logger: logger
        )
    }

    private static func binds(_ id: UUID) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }

    struct HandlerFailure: Error {}
}

/// How many more times the flaky event fails.
private final class FailureBudget: Sendable {
    private let remaining: Mutex<Int>

    init(_ count: Int) {
        self.remaining = Mutex(count)
    }

    /// Whether to fail this time.
    func spend() -> Bool {
        self.remaining.withLock { remaining in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
    }
}

/// The consumer against a real Redis and Postgres: exactly-once effects over redelivery,
/// retries, dead letters, and a consumer that keeps going.
@Suite(.serialized)
struct EventConsumerTests {
    private let logger = Logger(label: "consumer-test")

    private func redisConfiguration() throws -> RedisConfiguration {
        try RedisConfiguration(url: try #require(ProcessInfo.processInfo.environment["REDIS_TEST_URL"], "REDIS_TEST_URL is not set"))
    }

    private func count(_ table: String, _ id: UUID, in database: Database) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE event_id = $1", binds: binds),
            logger: self.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Polls `condition` every 50 ms for up to 10 s.
    private func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting: \(what)")
    }

    @Test func handlesOnceRetriesAndDeadLetters() async throws {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let table = "consumer_test_effects_\(suffix.prefix(12))"
        let source = "test-\(suffix)"
        let group = "g-\(suffix)"
        let redis = RedisClient(configuration: try self.redisConfiguration(), logger: self.logger)
        try await PostgresTestDatabase.withDatabase { database in
            try await database.createSharedInbox()
            try await database.execute("CREATE TABLE \(table) (event_id uuid NOT NULL)")
            let consumer = EventConsumer(
                redis: redis,
                database: database,
                group: group,
                consumer: "c1",
                streams: [RedisStreamPublisher.stream(of: source)],
                handler: RecordingHandler(table: table, flakyFailures: 1),
                policy: ConsumerPolicy(
                    maxAttempts: 3,
                    retry: Backoff(initial: .milliseconds(20), maximum: .milliseconds(50)),
                    claimIdle: .seconds(30),
                    pollInterval: .milliseconds(20)
                ),
                logger: self.logger
            )
            let publisher = RedisStreamPublisher(redis: redis, source: source)
            func message(_ type: String, id: UUID = UUID()) -> OutboxMessage {
                OutboxMessage(id: id, type: type, subject: "s", payload: #"{"n":1}"#, occurredAt: Date())
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await redis.run() }
                tasks.addTask { try await consumer.run() }

                // The same event delivered twice has one effect.
                let good = UUID()
                try await publisher.publish(message("test.good", id: good), logger: self.logger)
                try await publisher.publish(message("test.good", id: good), logger: self.logger)
                // A poison event does not stop the events behind it.
                try await publisher.publish(message("test.poison"), logger: self.logger)
                let after = UUID()
                try await publisher.publish(message("test.good", id: after), logger: self.logger)
                // A handler that fails once succeeds on its retry.
                let flaky = UUID()
                try await publisher.publish(message("test.flaky", id: flaky), logger: self.logger)
                // Something unreadable goes straight to the dead letters.
                try await redis.send("XADD", RedisArgument(RedisStreamPublisher.stream(of: source)), "*", "envelope", "{not json")

                try await self.eventually("the good events and the flaky one take effect") {
                    let counts = [
                        try await self.count(table, good, in: database),
                        try await self.count(table, after, in: database),
                        try await self.count(table, flaky, in: database),
                    ]
                    return counts == [1, 1, 1]
                }
                try await self.eventually("two dead letters") {
                    let length = try await redis.send("XLEN", RedisArgument(EventConsumer.deadLetterStream(group: group)))
                    return length.int == 2
                }
                #expect(try await self.count(table, good, in: database) == 1, "exactly once despite two deliveries")
                let letters = try await redis.send("XRANGE", RedisArgument(EventConsumer.deadLetterStream(group: group)), "-", "+")
                let entries = (letters.array ?? []).compactMap(\.array).compactMap { $0.last?.array?.compactMap(\.string) }
                #expect(entries.contains { $0.contains("test.poison") || $0.joined().contains("test.poison") })
                #expect(entries.contains { $0.contains("{not json") })
                // Nothing is left pending for the group.
                let pending = try await redis.send("XPENDING", RedisArgument(RedisStreamPublisher.stream(of: source)), RedisArgument(group))
                #expect(pending.array?.first?.int == 0, "\(pending)")
                tasks.cancelAll()
            }
            try await database.execute("DROP TABLE \(table)")
            _ = try? await redis.send(
                "DEL",
                RedisArgument(RedisStreamPublisher.stream(of: source)),
                RedisArgument(EventConsumer.deadLetterStream(group: group))
            )
        }
    }
}
