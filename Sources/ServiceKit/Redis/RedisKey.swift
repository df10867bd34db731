import Crypto

/// Redis key names built from request input.
public enum RedisKey {
    /// `prefix` followed by the SHA-256 (hex) of each part, joined by `:`. A key made this way
    /// has a fixed length whatever the input, and does not hold the input itself (an email, an
    /// address) in plain text.
    public static func hashed(_ prefix: String, _ parts: String...) -> String {
        ([prefix] + parts.map(Self.digest)).joined(separator: ":")
    }

    /// The lower-case hex SHA-256 of the UTF-8 of `text`.
    public static func digest(_ text: String) -> String {
        Self.hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// Bytes as lower-case hex, two digits each.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
