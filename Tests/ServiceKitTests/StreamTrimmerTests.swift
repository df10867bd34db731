import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Testing

/// Records every handled event id in a table of its own.
private struct EffectRecorder: EventHandler {
    let table: String
    var eventTypes: Set<String> { ["test.trim"] }

    func handle(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws {
        var binds = PostgresBindings()
        binds.append(event.id)
        try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(self.table) (event_id) VALUES ($1)", binds: binds), logger: logger)
    }
}

/// Stream ids, trim points and the trimmer against a real Redis: a consumer group that is away
/// while far more events than the kept window arrive gets every one of them when it returns.
@Suite(.serialized)
struct StreamTrimmerTests {
    private let logger = Logger(label: "stream-trimmer-test")

    // MARK: Ids and trim points

    @Test func streamIDsParseCompareAndStep() throws {
        #expect(StreamID("1700000000000-3") == StreamID(milliseconds: 1_700_000_000_000, sequence: 3))
        #expect(StreamID("42") == StreamID(milliseconds: 42, sequence: 0))
        for bad in ["", "-", "1-", "-1", "a-1", "1-2-3", "1.5-0", "18446744073709551616-0"] {
            #expect(StreamID(bad) == nil, "\(bad) is not an id")
        }
        #expect(StreamID(milliseconds: 5, sequence: 9) < StreamID(milliseconds: 6, sequence: 0))
        #expect(StreamID(milliseconds: 5, sequence: 1) < StreamID(milliseconds: 5, sequence: 2))
        #expect(StreamID(milliseconds: 5, sequence: 1).successor == StreamID(milliseconds: 5, sequence: 2))
        #expect(StreamID(milliseconds: 5, sequence: .max).successor == StreamID(milliseconds: 6, sequence: 0))
        #expect(StreamID(milliseconds: .max, sequence: .max).successor == nil)
        #expect(StreamID(milliseconds: 7, sequence: 1).description == "7-1")
    }

    @Test func theTrimPointIsWhatTheFurthestBehindGroupStillNeeds() {
        let now: UInt64 = 1_000_000
        let window = StreamID(milliseconds: now - 1_000, sequence: 0)
        // No group: only the kept window stays.
        #expect(StreamRetention.trimPoint(groups: [], now: now, keepMilliseconds: 1_000) == window)
        // A group with nothing pending needs what comes after its last delivered entry.
        let caughtUp = ConsumerGroupPosition(name: "a", lastDelivered: StreamID(milliseconds: 500, sequence: 2), oldestPending: nil)
        #expect(StreamRetention.trimPoint(groups: [caughtUp], now: now, keepMilliseconds: 1_000) == StreamID(milliseconds: 500, sequence: 3))
        // An unacknowledged entry is still needed, however far ahead the group has read.
        let behind = ConsumerGroupPosition(
            name: "b",
            lastDelivered: StreamID(milliseconds: 900, sequence: 0),
            oldestPending: StreamID(milliseconds: 300, sequence: 1)
        )
        #expect(behind.oldestNeeded == StreamID(milliseconds: 300, sequence: 1))
        #expect(StreamRetention.trimPoint(groups: [caughtUp, behind], now: now, keepMilliseconds: 1_000) == StreamID(milliseconds: 300, sequence: 1))
        // A group that never read needs everything.
        let fresh = ConsumerGroupPosition(name: "c", lastDelivered: .zero, oldestPending: nil)
        #expect(StreamRetention.trimPoint(groups: [caughtUp, fresh], now: now, keepMilliseconds: 0) == StreamID(milliseconds: 0, sequence: 1))
        // Groups far ahead: the kept window still holds.
        let ahead = ConsumerGroupPosition(name: "d", lastDelivered: StreamID(milliseconds: 999_999, sequence: 0), oldestPending: nil)
        #expect(StreamRetention.trimPoint(groups: [ahead], now: now, keepMilliseconds: 1_000) == window)
        // A window longer than the clock has run keeps everything.
        #expect(StreamRetention.trimPoint(groups: [], now: 10, keepMilliseconds: 1_000) == .zero)
    }

    @Test func thePolicyComesFromSettings() throws {
        #expect(try StreamTrimPolicy(settings: SettingsReader(environment: [:])) == StreamTrimPolicy(interval: .seconds(60), keep: .seconds(86_400)))
        let custom = try StreamTrimPolicy(settings: SettingsReader(environment: ["STREAM_TRIM_INTERVAL_SECONDS": "0.5", "STREAM_KEEP_SECONDS": "0"]))
        #expect(custom == StreamTrimPolicy(interval: .milliseconds(500), keep: .zero))
        #expect(throws: ConfigurationError.self) { try StreamTrimPolicy(settings: SettingsReader(environment: ["STREAM_KEEP_SECONDS": "-1"])) }
    }

    // MARK: Against Redis

    @Test func aGroupThatIsAwayLosesNothingToTrimming() async throws {
        let source = RedisTestServer.uniqueName("trim")
        let stream = RedisStreamPublisher.stream(of: source)
        let table = "trim_effects_\(source.suffix(12))"
        try await RedisTestServer.withClient { redis in
            try await PostgresTestDatabase.withDatabase { database in
                try await database.createSharedInbox()
                try await database.execute("CREATE TABLE \(table) (event_id uuid NOT NULL)")
                // Two consuming services: `live` keeps up, `away` read ten events, handled four, and went down.
                for group in ["live", "away"] {
                    try await redis.send("XGROUP", "CREATE", RedisArgument(stream), RedisArgument(group), "0", "MKSTREAM")
                }
                let publisher = RedisStreamPublisher(redis: redis, source: source)
                let messages = (0..<40).map { index in
                    OutboxMessage(id: UUID(), type: "test.trim", subject: "s-\(index % 3)", payload: #"{"n":\#(index)}"#, occurredAt: Date())
                }
                let outcomes = try await publisher.publish(messages, logger: self.logger)
                #expect(outcomes.allSatisfy { (try? $0.get()) != nil }, "every event published")
                let all = messages.map(\.id)

                let awayRead = try await self.read(redis, stream: stream, group: "away", count: 10)
                #expect(awayRead.count == 10)
                for (entry, id) in zip(awayRead.prefix(4), all.prefix(4)) {
                    try await self.recordEffect(id, table: table, in: database)
                    try await redis.send("XACK", RedisArgument(stream), "away", RedisArgument(entry))
                }
                let liveRead = try await self.read(redis, stream: stream, group: "live", count: 100)
                #expect(liveRead.count == 40)
                for entry in liveRead { try await redis.send("XACK", RedisArgument(stream), "live", RedisArgument(entry)) }

                // Nothing is kept for its age: whatever both groups are done with may go.
                let trimmer = StreamTrimmer(
                    redis: redis,
                    stream: stream,
                    policy: StreamTrimPolicy(interval: .seconds(1), keep: .zero),
                    logger: self.logger
                )
                let removed = try await trimmer.trim()
                #expect(removed == 4, "only the four events `away` acknowledged go; its six unacknowledged ones and the rest stay")
                #expect(try await redis.send("XLEN", RedisArgument(stream)).int == 36)
                // Trimming again while it is away changes nothing.
                #expect(try await trimmer.trim() == 0)

                // `away` comes back under the same consumer name: its pending events are retried, the rest read.
                let consumer = EventConsumer(
                    redis: redis,
                    database: database,
                    group: "away",
                    consumer: "c1",
                    streams: [stream],
                    handler: EffectRecorder(table: table),
                    policy: ConsumerPolicy(retry: Backoff(initial: .milliseconds(20), maximum: .milliseconds(50)), pollInterval: .milliseconds(20)),
                    logger: self.logger
                )
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await consumer.run() }
                    try await eventually("the returning group handles every event") {
                        try await self.effects(table, in: database).count == 40
                    }
                    tasks.cancelAll()
                }
                let effects = try await self.effects(table, in: database)
                #expect(effects.sorted() == all.map(\.uuidString).sorted(), "every one of the 40 events took effect once")
                #expect(Set(effects).count == effects.count, "no event took effect twice")

                // Now that both groups are done, the stream shrinks to nothing.
                try await eventually("the stream is trimmed once `away` caught up") {
                    _ = try await trimmer.trim()
                    return try await redis.send("XLEN", RedisArgument(stream)).int == 0
                }
                try await database.execute("DROP TABLE \(table)")
            }
            try await redis.send("DEL", RedisArgument(stream), RedisArgument(EventConsumer.deadLetterStream(group: "away")))
        }
    }

    @Test func aStreamNobodyReadsKeepsTheWindow() async throws {
        let stream = RedisStreamPublisher.stream(of: RedisTestServer.uniqueName("trim-nogroup"))
        try await RedisTestServer.withClient { redis in
            for index in 0..<5 { try await redis.send("XADD", RedisArgument(stream), "*", "n", RedisArgument(index)) }
            let keepHour = StreamTrimmer(redis: redis, stream: stream, policy: StreamTrimPolicy(keep: .seconds(3_600)), logger: self.logger)
            #expect(try await keepHour.trim() == 0, "entries younger than the window stay")
            #expect(try await redis.send("XLEN", RedisArgument(stream)).int == 5)
            let keepNothing = StreamTrimmer(redis: redis, stream: stream, policy: StreamTrimPolicy(keep: .zero), logger: self.logger)
            try await eventually("a stream without groups is trimmed to the window") {
                _ = try await keepNothing.trim()
                return try await redis.send("XLEN", RedisArgument(stream)).int == 0
            }
            // A stream that does not exist is no error.
            let missing = StreamTrimmer(redis: redis, stream: "\(stream)-missing", policy: StreamTrimPolicy(keep: .zero), logger: self.logger)
            #expect(try await missing.trim() == 0)
            try await redis.send("DEL", RedisArgument(stream))
        }
    }

    // MARK: Helpers

    /// Reads up to `count` new entries for consumer `c1` of `group`; returns their ids.
    private func read(_ redis: RedisClient, stream: String, group: String, count: Int) async throws -> [String] {
        let reply = try await redis.send(
            "XREADGROUP",
            "GROUP",
            RedisArgument(group),
            "c1",
            "COUNT",
            RedisArgument(count),
            "STREAMS",
            RedisArgument(stream),
            ">"
        )
        let entries = reply.array?.first?.array?.last?.array ?? []
        return entries.compactMap { $0.array?.first?.string }
    }

    private func recordEffect(_ id: UUID, table: String, in database: Database) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        try await database.client.query(
            PostgresQuery(unsafeSQL: "INSERT INTO inbox (event_id, event_type) VALUES ($1, 'test.trim')", binds: binds),
            logger: self.logger
        )
        try await database.client.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (event_id) VALUES ($1)", binds: binds), logger: self.logger)
    }

    private func effects(_ table: String, in database: Database) async throws -> [String] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT event_id FROM \(table)"), logger: self.logger)
        var ids: [String] = []
        for try await id in rows.decode(UUID.self) { ids.append(id.uuidString) }
        return ids
    }
}
