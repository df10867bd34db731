import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Synchronization
import Testing

/// A publisher that records what it was given and refuses chosen events (or everything, as a
/// broken connection does).
private final class RecordingPublisher: OutboxPublisher {
    struct Refused: Error {}
    struct Broken: Error {}

    private struct State {
        var calls: [[UUID]] = []
        var published: [UUID] = []
        var refusing: Set<UUID> = []
        var broken = false
    }

    private let state = Mutex(State())

    /// The ids of each call, in call order.
    var calls: [[UUID]] { self.state.withLock { $0.calls } }
    /// The ids published, in publishing order.
    var published: [UUID] { self.state.withLock { $0.published } }

    func refuse(_ ids: Set<UUID>) { self.state.withLock { $0.refusing = ids } }
    func breakConnection(_ broken: Bool) { self.state.withLock { $0.broken = broken } }

    func publish(_ messages: [OutboxMessage], logger: Logger) async throws -> [Result<Void, any Error>] {
        try self.state.withLock { state in
            if state.broken { throw Broken() }
            state.calls.append(messages.map(\.id))
            return messages.map { message in
                if state.refusing.contains(message.id) { return .failure(Refused()) }
                state.published.append(message.id)
                return .success(())
            }
        }
    }
}

/// The relay against a real Postgres `outbox` table (and Redis for the real publisher): order
/// per subject through failures, a batch in one publisher call, sent rows marked.
///
/// Serialized: the tests share the table `outbox` of the test database, which each recreates.
@Suite(.serialized)
struct OutboxRelayTests {
    private let logger = Logger(label: "outbox-relay-test")
    /// A failed event waits a minute: long enough that no test sees its retry unless it asks.
    private let slowRetry = Backoff(initial: .seconds(60), maximum: .seconds(60))

    private func resetOutbox(_ database: Database) async throws {
        try await database.execute("DROP TABLE IF EXISTS outbox")
        try await database.execute(OutboxRelay.tableDefinition)
        try await database.execute(OutboxRelay.indexDefinition)
        for index in OutboxRelay.orderingIndexDefinitions { try await database.execute(index) }
    }

    /// Inserts one unsent event per subject given, in that order (one second apart); returns their ids.
    private func enqueue(_ subjects: [String], in database: Database) async throws -> [UUID] {
        var ids: [UUID] = []
        for (index, subject) in subjects.enumerated() {
            let id = UUID()
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(subject)
            binds.append(index)
            try await database.client.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO outbox (id, type, subject, payload, occurred_at)
                        VALUES ($1, 'test.relayed', $2, jsonb_build_object('n', $3::int), now() - interval '1 hour' + $3::int * interval '1 second')
                        """,
                    binds: binds
                ),
                logger: self.logger
            )
            ids.append(id)
        }
        return ids
    }

    /// The ids of rows marked sent.
    private func sent(in database: Database) async throws -> Set<UUID> {
        let rows = try await database.client.query("SELECT id FROM outbox WHERE sent_at IS NOT NULL", logger: self.logger)
        var ids: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(id) }
        return ids
    }

    private func attempts(of id: UUID, in database: Database) async throws -> Int {
        let rows = try await database.client.query("SELECT attempts FROM outbox WHERE id = \(id)", logger: self.logger)
        for try await attempts in rows.decode(Int32.self) { return Int(attempts) }
        return -1
    }

    @Test func aFailedEventHoldsBackTheLaterEventsOfItsSubjectButNoOthers() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.resetOutbox(database)
            let publisher = RecordingPublisher()
            let relay = OutboxRelay(database: database, publisher: publisher, logger: self.logger, retry: self.slowRetry)
            let ids = try await self.enqueue(["order-a", "order-b", "order-a", "order-c"], in: database)
            let (a1, b1, a2, c1) = (ids[0], ids[1], ids[2], ids[3])
            publisher.refuse([a1])

            #expect(try await relay.relayBatch() == 2)
            #expect(publisher.published == [b1, c1], "other subjects go on past the failure")
            #expect(try await self.sent(in: database) == [b1, c1], "what was published is marked sent")
            #expect(try await self.attempts(of: a1, in: database) == 1)

            // While a1 waits for its retry, a2 must not overtake it.
            #expect(try await relay.relayBatch() == 0)
            #expect(!publisher.published.contains(a2), "a later event of the subject waits for the failed one")

            // a1's retry is due and succeeds: a1, then a2.
            publisher.refuse([])
            try await database.execute("UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL")
            #expect(try await relay.relayBatch() == 2)
            #expect(publisher.published == [b1, c1, a1, a2], "the subject's events arrive in the order they were written")
            #expect(try await self.sent(in: database) == Set(ids))
            #expect(try await relay.relayBatch() == 0, "nothing is sent twice")
        }
    }

    @Test func aBatchGoesOutInOnePublisherCallWithRoundsOnlyForRepeatedSubjects() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.resetOutbox(database)
            let publisher = RecordingPublisher()
            let relay = OutboxRelay(database: database, publisher: publisher, logger: self.logger, batchSize: 50, retry: self.slowRetry)
            let distinct = try await self.enqueue((0..<20).map { "product-\($0)" }, in: database)
            #expect(try await relay.relayBatch() == 20)
            #expect(publisher.calls == [distinct], "twenty events of twenty subjects: one call, in order")

            // Three events of one order among two others: three rounds, each after the one before was confirmed.
            let mixed = try await self.enqueue(["order-x", "user-1", "order-x", "user-2", "order-x"], in: database)
            #expect(try await relay.relayBatch() == 5)
            #expect(Array(publisher.calls.dropFirst()) == [[mixed[0], mixed[1], mixed[3]], [mixed[2]], [mixed[4]]])
            #expect(try await self.sent(in: database) == Set(distinct + mixed))
        }
    }

    @Test func aBrokenConnectionMarksNothingSentAndBacksOff() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.resetOutbox(database)
            let publisher = RecordingPublisher()
            let relay = OutboxRelay(database: database, publisher: publisher, logger: self.logger, retry: self.slowRetry)
            let ids = try await self.enqueue(["a", "b", "a"], in: database)
            publisher.breakConnection(true)
            #expect(try await relay.relayBatch() == 0)
            #expect(try await self.sent(in: database).isEmpty)
            #expect(try await self.attempts(of: ids[0], in: database) == 1)
            #expect(try await self.attempts(of: ids[1], in: database) == 1)
            #expect(try await self.attempts(of: ids[2], in: database) == 0, "a later event of a subject is not tried before its predecessor")
            publisher.breakConnection(false)
            #expect(try await relay.relayBatch() == 0, "everything waits for its backoff")
            #expect(publisher.published.isEmpty)
        }
    }

    @Test func theRedisPublisherAppendsABatchInOrderAndTheRelayMarksItSent() async throws {
        let source = RedisTestServer.uniqueName("relay")
        let stream = RedisStreamPublisher.stream(of: source)
        try await RedisTestServer.withClient { redis in
            try await PostgresTestDatabase.withDatabase { database in
                try await self.resetOutbox(database)
                let relay = OutboxRelay(
                    database: database,
                    publisher: RedisStreamPublisher(redis: redis, source: source),
                    logger: self.logger,
                    retry: self.slowRetry
                )
                let subjects = (0..<12).map { "order-\($0 % 3)" }
                let ids = try await self.enqueue(subjects, in: database)
                #expect(try await relay.relayBatch() == 12)
                #expect(try await self.sent(in: database) == Set(ids))

                let reply = try await redis.send("XRANGE", RedisArgument(stream), "-", "+")
                let envelopes = try (reply.array ?? []).map { entry -> EventEnvelope in
                    let flat = (entry.array?.last?.array ?? []).compactMap(\.string)
                    let position = try #require(flat.firstIndex(of: "envelope"), "an envelope field: \(entry)")
                    let json = try #require(flat.dropFirst(position + 1).first, "an envelope value: \(entry)")
                    return try EventCoding.decoder().decode(EventEnvelope.self, from: Data(json.utf8))
                }
                #expect(envelopes.count == 12)
                for subject in Set(subjects) {
                    let written = zip(ids, subjects).filter { $0.1 == subject }.map(\.0)
                    #expect(envelopes.filter { $0.subject == subject }.map(\.id) == written, "\(subject)'s events in the stream in written order")
                }
                #expect(envelopes.allSatisfy { $0.type == "test.relayed" && $0.source == source })
            }
            try await redis.send("DEL", RedisArgument(stream))
        }
    }
}
