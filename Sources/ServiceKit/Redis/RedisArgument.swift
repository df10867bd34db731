import NIOCore

/// One argument of a Redis command, sent as a binary-safe bulk string.
///
/// String and integer literals convert implicitly: `client.send("SET", "key", 42)`.
public struct RedisArgument: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The bytes sent to the server.
    public let bytes: ByteBuffer

    /// Sends the bytes of a buffer as they are (binary-safe).
    public init(_ bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// Sends a string as UTF-8.
    public init(_ string: String) {
        self.bytes = ByteBuffer(string: string)
    }

    /// Sends an integer in decimal, as Redis expects (`INCRBY key 5`).
    public init(_ integer: Int) {
        self.bytes = ByteBuffer(string: String(integer))
    }

    /// Sends raw bytes (binary-safe).
    public init(_ bytes: [UInt8]) {
        self.bytes = ByteBuffer(bytes: bytes)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

extension RedisArgument {
    /// `redis <COMMAND>` for a span, when this argument is a command name (short, letters only).
    var spanName: String {
        var name = "redis "
        for byte in self.bytes.readableBytesView.prefix(17) {
            switch byte {
            case 65...90: name.unicodeScalars.append(Unicode.Scalar(byte))
            case 97...122: name.unicodeScalars.append(Unicode.Scalar(byte - 32))
            default: return "redis command"
            }
        }
        return name.utf8.count > 6 && name.utf8.count <= 22 ? name : "redis command"
    }
}
