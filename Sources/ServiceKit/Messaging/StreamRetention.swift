/// Where one consumer group of a stream stands: what it has been given and what it has not yet
/// acknowledged.
public struct ConsumerGroupPosition: Sendable, Equatable {
    public var name: String
    /// The last entry delivered to the group (`0-0` before its first read).
    public var lastDelivered: StreamID
    /// The oldest entry delivered to the group and not acknowledged yet, if any.
    public var oldestPending: StreamID?

    public init(name: String, lastDelivered: StreamID, oldestPending: StreamID?) {
        self.name = name
        self.lastDelivered = lastDelivered
        self.oldestPending = oldestPending
    }

    /// The oldest entry the group still needs: its oldest unacknowledged one, or else the first
    /// one it has not been given.
    public var oldestNeeded: StreamID {
        let undelivered = self.lastDelivered.successor ?? self.lastDelivered
        guard let oldestPending else { return undelivered }
        return min(oldestPending, undelivered)
    }
}

/// Which entries of a stream may go: those every consumer group is done with (acknowledged, or
/// never to be delivered to it again) and that are older than a kept window.
public enum StreamRetention {
    /// The id below which entries may be removed (`XTRIM <stream> MINID <id>`).
    ///
    /// - Parameters:
    ///   - groups: every consumer group of the stream, as read from Redis.
    ///   - now: the Redis server's time, in epoch milliseconds.
    ///   - keepMilliseconds: entries younger than this always stay, consumed or not; a stream
    ///     without any group keeps exactly this window (nobody has said it needs more).
    /// - Returns: the trim point; entries with smaller ids are no longer needed.
    public static func trimPoint(groups: [ConsumerGroupPosition], now: UInt64, keepMilliseconds: UInt64) -> StreamID {
        // Entry ids are Redis's clock in milliseconds, so an age is an id.
        let window = StreamID(milliseconds: now >= keepMilliseconds ? now - keepMilliseconds : 0, sequence: 0)
        return groups.map(\.oldestNeeded).reduce(window, min)
    }
}
