import Logging
import Metrics
import ServiceLifecycle

/// How a producer's stream is trimmed: `STREAM_TRIM_INTERVAL_SECONDS` and `STREAM_KEEP_SECONDS`.
public struct StreamTrimPolicy: Sendable, Equatable {
    /// Time between two trims.
    public var interval: Duration
    /// Entries younger than this are never trimmed; a stream that no consumer group reads keeps this much.
    public var keep: Duration

    public init(interval: Duration = .seconds(60), keep: Duration = .seconds(86_400)) {
        self.interval = interval
        self.keep = keep
    }

    /// Reads `STREAM_TRIM_INTERVAL_SECONDS` (default 60) and `STREAM_KEEP_SECONDS` (default 86400).
    public init(settings: SettingsReader) throws {
        self.init(
            interval: try settings.seconds("stream.trimIntervalSeconds", default: .seconds(60), range: 0.05...86_400),
            keep: try settings.seconds("stream.keepSeconds", default: .seconds(86_400), range: 0...(365 * 86_400))
        )
    }
}

/// Trims a producer's Redis stream to what its consumers still need, so no event is lost to
/// trimming however long a consumer group is away.
///
/// Every ``StreamTrimPolicy/interval`` it reads each consumer group's position (`XINFO GROUPS`:
/// the last delivered id; `XPENDING`: the oldest unacknowledged one) and removes, with
/// `XTRIM MINID`, only entries older than what the furthest-behind group still needs and older
/// than ``StreamTrimPolicy/keep``. A group that stopped reading keeps every entry from its
/// position on; the stream grows meanwhile (`consumer_lag` shows it) and shrinks when it catches up.
///
/// Safe with several replicas and while consumers run: groups only move forward, so a position
/// read a moment ago asks for at least as much as the group needs now. A group created after a
/// trim starts from what is left. If any group's position cannot be read, nothing is trimmed.
public struct StreamTrimmer: Service {
    let redis: RedisClient
    let stream: String
    let policy: StreamTrimPolicy
    let logger: Logger

    public init(redis: RedisClient, stream: String, policy: StreamTrimPolicy, logger: Logger) {
        self.redis = redis
        self.stream = stream
        self.policy = policy
        self.logger = logger
    }

    /// The trimmer of `stream` with the policy from the service's settings.
    public init(dependencies: ServiceDependencies, stream: String) throws {
        self.init(
            redis: dependencies.redis,
            stream: stream,
            policy: try StreamTrimPolicy(settings: dependencies.settings),
            logger: dependencies.logger
        )
    }

    public func run() async throws {
        Counter(label: "event_stream_trimmed_total", dimensions: [("stream", self.stream)]).increment(by: 0)
        try await runUntilShutdown {
            while !Task.isCancelled {
                do {
                    try await self.trim()
                } catch {
                    self.logger.warning("stream trim failed", metadata: ["event.stream": "\(self.stream)", "error": "\(error)"])
                }
                try await Task.sleep(for: self.policy.interval)
            }
        }
    }

    /// Trims once; returns how many entries were removed.
    @discardableResult
    public func trim() async throws -> Int {
        let stream = RedisArgument(self.stream)
        let replies = try await self.redis.pipeline([["TIME"], ["XINFO", "GROUPS", stream], ["XLEN", stream]])
        guard replies.count == 3, let now = Self.milliseconds(fromTime: replies[0]) else {
            throw RedisClientError.protocolError("unexpected reply to TIME: \(replies.first.map { "\($0)" } ?? "none")")
        }
        if let message = replies[1].errorMessage {
            // The stream does not exist yet: nothing to trim.
            if message.lowercased().contains("no such key") { return 0 }
            throw RedisClientError.server(message)
        }
        Gauge(label: "event_stream_entries", dimensions: [("stream", self.stream)]).record(replies[2].int ?? 0)
        guard let groups = try await self.positions(groupsReply: replies[1]) else { return 0 }
        let keep = UInt64(max(0, self.policy.keep / .milliseconds(1)))
        let point = StreamRetention.trimPoint(groups: groups, now: now, keepMilliseconds: keep)
        let removed = try await self.redis.send("XTRIM", stream, "MINID", RedisArgument(point.description)).int ?? 0
        if removed > 0 {
            Counter(label: "event_stream_trimmed_total", dimensions: [("stream", self.stream)]).increment(by: removed)
            self.logger.debug(
                "stream trimmed",
                metadata: ["event.stream": "\(self.stream)", "stream.removed": "\(removed)", "stream.minID": "\(point)"]
            )
        }
        return removed
    }

    /// Every group's position, or `nil` (and a warning) when any of them cannot be read.
    private func positions(groupsReply: RESPValue) async throws -> [ConsumerGroupPosition]? {
        var groups: [(name: String, lastDelivered: StreamID, pending: Int)] = []
        for item in groupsReply.array ?? [] {
            let fields = Self.fields(item)
            guard let name = fields["name"]?.string, let last = fields["last-delivered-id"]?.string.flatMap(StreamID.init),
                let pending = fields["pending"]?.int
            else {
                self.logger.warning("stream not trimmed: a consumer group's position is unreadable", metadata: ["event.stream": "\(self.stream)"])
                return nil
            }
            groups.append((name, last, pending))
        }
        let behind = groups.filter { $0.pending > 0 }
        let summaries = try await self.redis.pipeline(behind.map { ["XPENDING", RedisArgument(self.stream), RedisArgument($0.name)] })
        var oldestPending: [String: StreamID] = [:]
        for (group, summary) in zip(behind, summaries) {
            // `[count, smallest id, greatest id, consumers]`; a group that acknowledged everything
            // meanwhile answers count 0 and needs nothing older than its last delivered id.
            guard let parts = summary.array, let count = parts.first?.int else {
                self.logger.warning("stream not trimmed: a group's pending entries are unreadable", metadata: ["event.stream": "\(self.stream)"])
                return nil
            }
            guard count > 0 else { continue }
            guard parts.count >= 2, let smallest = parts[1].string.flatMap(StreamID.init) else {
                self.logger.warning("stream not trimmed: a group's pending entries are unreadable", metadata: ["event.stream": "\(self.stream)"])
                return nil
            }
            oldestPending[group.name] = smallest
        }
        return groups.map { ConsumerGroupPosition(name: $0.name, lastDelivered: $0.lastDelivered, oldestPending: oldestPending[$0.name]) }
    }

    /// A flat `[name, value, name, value, ...]` reply as a dictionary.
    static func fields(_ reply: RESPValue) -> [String: RESPValue] {
        let flat = reply.array ?? []
        var fields: [String: RESPValue] = [:]
        var index = 0
        while index + 1 < flat.count {
            if let name = flat[index].string { fields[name] = flat[index + 1] }
            index += 2
        }
        return fields
    }

    /// Epoch milliseconds from a `TIME` reply (`[seconds, microseconds]`).
    static func milliseconds(fromTime reply: RESPValue) -> UInt64? {
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int.flatMap(UInt64.init(exactly:)),
            let micros = parts[1].int.flatMap(UInt64.init(exactly:))
        else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return nil }
        return scaled.addingReportingOverflow(micros / 1000).overflow ? nil : scaled + micros / 1000
    }
}
