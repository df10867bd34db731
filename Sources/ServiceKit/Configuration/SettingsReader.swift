import Configuration
import Foundation

/// Reads settings from command-line flags (`--http-port 9000`) over environment variables
/// (`HTTP_PORT=9000`) and validates each one, naming the variable in every error.
///
/// Keys are dotted camel case (`http.maxBodyBytes` is `HTTP_MAX_BODY_BYTES` and
/// `--http-max-body-bytes`), as swift-configuration encodes them.
public struct SettingsReader: Sendable {
    let reader: ConfigReader

    /// Reads from the process's arguments and environment.
    public init() {
        self.reader = ConfigReader(providers: [CommandLineArgumentsProvider(), EnvironmentVariablesProvider()])
    }

    /// Reads from the given values only (tests), keyed by environment variable name.
    public init(environment: [String: String]) {
        self.reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
    }

    /// The environment variable name of a key.
    public static func variableName(_ key: String) -> String {
        key.split(separator: ".").map { component -> String in
            var name = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase { name.append("_") }
                name.append(character.isLetter || character.isNumber ? Character(character.uppercased()) : "_")
                previous = character
            }
            return name
        }.joined(separator: "_")
    }

    /// The raw text of a setting, `nil` when unset or empty.
    public func raw(_ key: String, secret: Bool = false) -> String? {
        guard let value = self.reader.string(forKey: ConfigKey(key), isSecret: secret) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A text setting with a default.
    public func string(_ key: String, default fallback: String) -> String {
        self.raw(key) ?? fallback
    }

    /// A text setting that must be present.
    public func requiredString(_ key: String, hint: String, secret: Bool = false) throws -> String {
        guard let value = self.raw(key, secret: secret) else {
            throw ConfigurationError(setting: Self.variableName(key), problem: "is required (\(hint))")
        }
        return value
    }

    /// An integer setting within `range`.
    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = self.raw(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                setting: Self.variableName(key),
                problem: "must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    /// A decimal setting within `range`.
    public func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) throws -> Double {
        guard let text = self.raw(key) else { return fallback }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigurationError(
                setting: Self.variableName(key),
                problem: "must be a number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    /// A duration given in (possibly fractional) seconds.
    public func seconds(_ key: String, default fallback: Duration, range: ClosedRange<Double> = 0...86_400) throws -> Duration {
        guard self.raw(key) != nil else { return fallback }
        let value = try self.double(key, default: 0, range: range)
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A boolean (`true/false`, `yes/no`, `1/0`).
    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let text = self.raw(key)?.lowercased() else { return fallback }
        switch text {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default:
            throw ConfigurationError(setting: Self.variableName(key), problem: "must be true or false, got \"\(text)\"")
        }
    }

    /// A comma-separated list of http(s) base URLs.
    public func urls(_ key: String, default fallback: [String]) throws -> [String] {
        guard let text = self.raw(key) else { return fallback }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for item in items {
            guard let url = URL(string: item), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ConfigurationError(setting: Self.variableName(key), problem: "must be comma-separated http(s) URLs, got \"\(item)\"")
            }
        }
        guard !items.isEmpty else {
            throw ConfigurationError(setting: Self.variableName(key), problem: "must list at least one URL")
        }
        return items.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}
