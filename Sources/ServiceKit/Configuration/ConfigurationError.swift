/// A setting that is missing or malformed. The process prints ``description`` as one line and
/// exits with status 78 (EX_CONFIG).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The environment variable name of the setting, e.g. `DATABASE_URL`.
    public let setting: String
    /// What is wrong and what is expected. Never contains the value of a secret.
    public let problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "configuration error: \(self.setting) \(self.problem)" }
}
