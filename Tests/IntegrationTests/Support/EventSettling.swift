import Foundation
import PostgresNIO

/// Waits until the event backbone has nothing left in flight, so an "exactly once" check can
/// count without guessing how long a duplicate might take.
///
/// Settled means: every producer's outbox has no unsent row (no publish, and so no duplicate
/// publish, is still to come) and every consumer group has read its stream to the end and
/// acknowledged everything (no pending entry, so nothing can be redelivered or claimed).
enum EventSettling {
    static let producers = ["auth", "user", "product", "order", "payment"]

    /// Polls (every 100 ms, at most `timeout`) until the backbone is settled; throws naming
    /// what is still in flight.
    static func awaitSettled(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        var unsettled: [String] = []
        repeat {
            unsettled = try await self.inFlight()
            if unsettled.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        throw HarnessError("the event backbone did not settle within \(timeout): \(unsettled.joined(separator: "; "))")
    }

    /// What is still in flight, described; empty when settled.
    static func inFlight() async throws -> [String] {
        var unsettled: [String] = []
        for producer in self.producers {
            let unsent = try await ServiceDatabase.withClient(producer) { client in
                let rows = try await client.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL", logger: ServiceDatabase.logger)
                var count: Int64 = 0
                for try await value in rows.decode(Int64.self) { count = value }
                return count
            }
            if unsent > 0 { unsettled.append("\(unsent) unsent in \(producer)'s outbox") }
            let stream = "events:\(producer)"
            // A stream nobody has published to yet does not exist: nothing in flight there.
            guard try RedisControl.run("EXISTS", stream).integer == 1,
                let last = Self.field("last-generated-id", in: try RedisControl.run("XINFO", "STREAM", stream))?.string
            else { continue }
            for group in try RedisControl.run("XINFO", "GROUPS", stream).array ?? [] {
                let name = Self.field("name", in: group)?.string ?? "?"
                let pending = Self.field("pending", in: group)?.integer ?? 0
                let delivered = Self.field("last-delivered-id", in: group)?.string ?? ""
                if pending > 0 { unsettled.append("\(pending) pending for \(name) on \(stream)") }
                if delivered != last { unsettled.append("\(name) has read \(stream) to \(delivered) of \(last)") }
            }
        }
        return unsettled
    }

    /// The value after `name` in a flat Redis map reply.
    private static func field(_ name: String, in reply: RedisReply) -> RedisReply? {
        guard let items = reply.array else { return nil }
        var index = 0
        while index + 1 < items.count {
            if items[index].string == name { return items[index + 1] }
            index += 2
        }
        return nil
    }
}
