import Contracts
import Foundation
import Hummingbird

/// Admin routes of a consuming service over its dead-letter stream:
/// `GET <prefix>/dead-letters` lists them (oldest first, up to 100), and
/// `POST <prefix>/dead-letters/{id}/redrive` puts one back on the stream it came from (the
/// consumer group then delivers it again) and removes it from the dead letters.
public struct DeadLetterRoutes: Sendable {
    let redis: RedisClient
    let group: String

    public init(redis: RedisClient, group: String) {
        self.redis = redis
        self.group = group
    }

    /// One dead letter as the API shows it.
    public struct DeadLetter: Codable, Sendable, Equatable {
        public var id: String
        public var stream: String
        public var entry: String
        public var error: String
        public var deliveries: Int
        /// The event, when its envelope could be read.
        public var event: EventEnvelope?
    }

    struct Redriven: Codable, Sendable {
        var id: String
        var stream: String
        var entry: String
    }

    public func register(on routes: ServiceRoutes, prefix: String) {
        let stream = EventConsumer.deadLetterStream(group: self.group)
        routes.get("\(prefix)/dead-letters") { _, context in
            _ = try context.requireAdmin()
            let reply = try await self.redis.send("XRANGE", RedisArgument(stream), "-", "+", "COUNT", "100")
            let letters = (reply.array ?? []).compactMap { StreamEntry(stream: stream, reply: $0) }.map(Self.deadLetter)
            return JSONResponse(Page(items: letters, nextCursor: nil))
        }
        routes.post("\(prefix)/dead-letters/{id}/redrive") { _, context in
            _ = try context.requireAdmin()
            guard let id = context.parameters.get("id"), Self.isStreamID(id) else { throw ProblemError.notFound("No dead letter has this id.") }
            let reply = try await self.redis.send("XRANGE", RedisArgument(stream), RedisArgument(id), RedisArgument(id))
            guard let first = reply.array?.first, let letter = StreamEntry(stream: stream, reply: first),
                let origin = letter.fields["stream"], let envelope = letter.fields["envelope"]
            else { throw ProblemError.notFound("No dead letter has this id.") }
            let type = (try? EventCoding.decoder().decode(EventEnvelope.self, from: Data(envelope.utf8)))?.type ?? "unknown"
            let added = try await self.redis.send(
                "XADD",
                RedisArgument(origin),
                "*",
                "type",
                RedisArgument(type),
                "envelope",
                RedisArgument(envelope)
            )
            try await self.redis.send("XDEL", RedisArgument(stream), RedisArgument(id))
            context.logger.info("dead letter redriven", metadata: ["event.stream": "\(origin)", "deadletter.id": "\(id)"])
            return JSONResponse(Redriven(id: id, stream: origin, entry: added.string ?? ""))
        }
    }

    static func deadLetter(_ entry: StreamEntry) -> DeadLetter {
        DeadLetter(
            id: entry.id,
            stream: entry.fields["stream"] ?? "",
            entry: entry.fields["entry"] ?? "",
            error: entry.fields["error"] ?? "",
            deliveries: entry.fields["deliveries"].flatMap(Int.init) ?? 0,
            event: entry.fields["envelope"].flatMap { try? EventCoding.decoder().decode(EventEnvelope.self, from: Data($0.utf8)) }
        )
    }

    /// `<ms>-<seq>`, as Redis writes stream ids: two unsigned 64-bit numbers in ASCII digits.
    /// Anything else (a 20-digit number past 2^64, other scripts' digits) Redis would refuse
    /// with an error, so it is no dead letter's id.
    static func isStreamID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in part.allSatisfy { $0.isASCII && $0.isNumber } && UInt64(part) != nil }
    }
}
