/// The id of a Redis stream entry, `<milliseconds>-<sequence>`, ordered as Redis orders them.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the epoch on the Redis server's clock when the entry was added.
    public var milliseconds: UInt64
    /// The entry's number among those added in the same millisecond.
    public var sequence: UInt64

    /// The smallest id (`0-0`).
    public static let zero = StreamID(milliseconds: 0, sequence: 0)

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `1700000000000-3` (or `1700000000000`, sequence 0); `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let milliseconds = UInt64(parts[0]) else { return nil }
        let sequence = parts.count == 2 ? UInt64(parts[1]) : 0
        guard let sequence else { return nil }
        self.init(milliseconds: milliseconds, sequence: sequence)
    }

    /// The smallest id greater than this one; `nil` past the largest possible id.
    public var successor: StreamID? {
        if self.sequence < UInt64.max { return StreamID(milliseconds: self.milliseconds, sequence: self.sequence + 1) }
        guard self.milliseconds < UInt64.max else { return nil }
        return StreamID(milliseconds: self.milliseconds + 1, sequence: 0)
    }

    public var description: String { "\(self.milliseconds)-\(self.sequence)" }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
