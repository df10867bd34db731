import Logging

/// Keeps secrets out of logs: values under secret-looking keys are replaced, whatever their type.
public enum Redaction {
    /// Metadata keys whose values are never logged.
    static let secretMarkers = ["password", "secret", "token", "authorization", "cookie", "card", "cvc", "apikey", "api_key"]

    /// The replacement text.
    public static let placeholder = "[REDACTED]"

    /// Whether a key names a secret.
    public static func isSecret(key: String) -> Bool {
        let lowered = key.lowercased()
        return Self.secretMarkers.contains { lowered.contains($0) }
    }

    /// Redacts nested dictionaries by key.
    static func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .dictionary(let dictionary):
            return .dictionary(
                Dictionary(
                    uniqueKeysWithValues: dictionary.map { key, value in
                        (key, Self.isSecret(key: key) ? .string(Self.placeholder) : Self.redact(value))
                    }
                )
            )
        case .array(let values):
            return .array(values.map(Self.redact))
        case .string, .stringConvertible:
            return value
        }
    }
}

/// Minimal JSON text writing for log lines (faster than JSONEncoder and never throws).
enum JSONText {
    static func quote(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
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
        return result + "\""
    }

    static func object(_ metadata: Logger.Metadata, redactingKeys: Bool) -> String {
        let members = metadata.sorted { $0.key < $1.key }.map { key, value in
            let rendered = redactingKeys && Redaction.isSecret(key: key) ? Self.quote(Redaction.placeholder) : Self.value(value)
            return Self.quote(key) + ":" + rendered
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func value(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return Self.quote(text)
        case .stringConvertible(let convertible): return Self.quote(convertible.description)
        case .array(let values): return "[" + values.map(Self.value).joined(separator: ",") + "]"
        case .dictionary(let dictionary): return Self.object(dictionary, redactingKeys: true)
        }
    }
}
