import Logging

/// Keeps secrets out of logs: values under secret-looking keys are replaced, whatever their type.
public enum Redaction {
    /// Metadata keys whose values are never logged.
    static let secretMarkers = ["password", "secret", "token", "authorization", "cookie", "card", "cvc", "apikey", "api_key"]

    /// The replacement text.
    public static let placeholder = "[REDACTED]"

    /// Whether a key names a secret: it contains a marker, in any ASCII case. Runs for every
    /// metadata key of every log line, so it compares bytes and allocates nothing.
    public static func isSecret(key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in Self.secretMarkerBytes.contains { Self.contains(bytes, $0) } }
    }

    private static let secretMarkerBytes: [[UInt8]] = secretMarkers.map { Array($0.utf8) }

    /// Whether `haystack`, with ASCII letters lowercased, contains `needle` (lowercase).
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) {
            var matched = true
            for offset in 0..<needle.count {
                var byte = haystack[start + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != needle[offset] {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }
}

/// Minimal JSON text writing for log lines (faster than JSONEncoder and never throws): every
/// piece is appended to one string.
enum JSONText {
    static func quote(_ text: String) -> String {
        var result = ""
        Self.appendQuoted(text, to: &result)
        return result
    }

    static func appendQuoted(_ text: String, to result: inout String) {
        result.append("\"")
        // Most text needs no escape: appended whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            result.append(text)
            result.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result.append("\"")
    }

    static func object(_ metadata: Logger.Metadata, redactingKeys: Bool) -> String {
        var result = ""
        Self.appendObject(metadata, redactingKeys: redactingKeys, to: &result)
        return result
    }

    /// Members sorted by key; with `redactingKeys`, a secret-looking key's value (whatever its
    /// type) is the placeholder. Nested dictionaries are always redacted by key.
    static func appendObject(_ metadata: Logger.Metadata, redactingKeys: Bool, to result: inout String) {
        result.append("{")
        var first = true
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if !first { result.append(",") }
            first = false
            Self.appendQuoted(key, to: &result)
            result.append(":")
            if redactingKeys && Redaction.isSecret(key: key) {
                Self.appendQuoted(Redaction.placeholder, to: &result)
            } else {
                Self.appendValue(value, to: &result)
            }
        }
        result.append("}")
    }

    static func value(_ value: Logger.MetadataValue) -> String {
        var result = ""
        Self.appendValue(value, to: &result)
        return result
    }

    static func appendValue(_ value: Logger.MetadataValue, to result: inout String) {
        switch value {
        case .string(let text): Self.appendQuoted(text, to: &result)
        case .stringConvertible(let convertible): Self.appendQuoted(convertible.description, to: &result)
        case .array(let values):
            result.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { result.append(",") }
                Self.appendValue(element, to: &result)
            }
            result.append("]")
        case .dictionary(let dictionary): Self.appendObject(dictionary, redactingKeys: true, to: &result)
        }
    }
}
