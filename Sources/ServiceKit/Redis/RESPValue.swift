import NIOCore

/// A reply from a Redis server in the RESP2 protocol.
public enum RESPValue: Sendable, Equatable {
    /// A status reply such as `OK` or `PONG` (`+OK\r\n`).
    case simpleString(String)
    /// An error reply (`-ERR ...\r\n`). ``RedisClient/send(_:)`` throws it as ``RedisClientError/server(_:)``.
    case error(String)
    /// An integer reply (`:42\r\n`).
    case integer(Int)
    /// A binary-safe bulk string (`$3\r\nfoo\r\n`); `nil` is the null bulk string (`$-1\r\n`), e.g. `GET` of a missing key.
    case bulkString(ByteBuffer?)
    /// An array of replies (`*2\r\n...`); `nil` is the null array (`*-1\r\n`), e.g. a timed-out `BLPOP`.
    case array([RESPValue]?)
}

extension RESPValue {
    /// The value as text: a simple string, or a bulk string decoded as UTF-8 (invalid bytes are repaired).
    /// `nil` for other kinds and for null.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let buffer?): String(buffer: buffer)
        default: nil
        }
    }

    /// The value as an integer: an integer reply, or a simple/bulk string holding a decimal integer
    /// (Redis returns counters read with `GET` as bulk strings). `nil` otherwise.
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .simpleString, .bulkString: self.string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array reply; `nil` for other kinds and for the null array.
    public var array: [RESPValue]? {
        if case .array(let elements?) = self { return elements }
        return nil
    }

    /// The raw bytes of a bulk or simple string; `nil` for other kinds and for null.
    public var bytes: [UInt8]? {
        switch self {
        case .simpleString(let text): Array(text.utf8)
        case .bulkString(let buffer?): Array(buffer.readableBytesView)
        default: nil
        }
    }

    /// `true` for the null bulk string and the null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }

    /// The message of an error reply; `nil` for other kinds.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
