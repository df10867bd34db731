import Crypto
import Foundation

/// The `X-Signature` header of a webhook delivery: `t=<unix seconds>,v1=<hex>`, where `v1` is
/// the lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of the webhook's secret, of
/// `"<t>.<raw body>"`. The timestamp inside the signed text lets a receiver refuse replays.
enum WebhookSignature {
    /// The header value for `body` sent at `timestamp`.
    static func sign(body: Data, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(Self.hex(Self.code(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Whether `header` is a valid signature of `body` with `secret` (compared in constant
    /// time); with `now`, also whether its timestamp is within `tolerance` seconds of it.
    static func verify(_ header: String, body: Data, secret: String, now: Int64? = nil, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return false }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].trimmingCharacters(in: .whitespaces) {
            case "t": timestamp = Int64(value)
            case "v1": if let bytes = Self.bytes(hex: value) { candidates.append(bytes) }
            default: continue
            }
        }
        guard let timestamp, !candidates.isEmpty else { return false }
        if let now {
            // The timestamp is the sender's text: a huge one must fail the check, not overflow.
            let (age, overflow) = now.subtractingReportingOverflow(timestamp)
            guard !overflow, age.magnitude <= tolerance.magnitude else { return false }
        }
        let key = SymmetricKey(data: Data(secret.utf8))
        let message = Self.message(body: body, timestamp: timestamp)
        return candidates.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key) }
    }

    /// A new webhook secret: 32 random bytes from the system's secure generator, hex.
    static func makeSecret() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Self.hex($0) }
    }

    private static func code(body: Data, secret: String, timestamp: Int64) -> HMAC<SHA256>.MAC {
        HMAC<SHA256>.authenticationCode(for: Self.message(body: body, timestamp: timestamp), using: SymmetricKey(data: Data(secret.utf8)))
    }

    private static func message(body: Data, timestamp: Int64) -> Data {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return message
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
