import Foundation
import Logging
import ServiceKit
import Testing

/// The Redis server at `REDIS_TEST_URL`, e.g. `redis://127.0.0.1:6379`.
enum RedisTestServer {
    static let logger = Logger(label: "redis-test")

    /// The settings from `REDIS_TEST_URL`; fails the test (never skips it) when the variable is missing.
    static func configuration() throws -> RedisConfiguration {
        try RedisConfiguration(url: try #require(ProcessInfo.processInfo.environment["REDIS_TEST_URL"], "REDIS_TEST_URL is not set"))
    }

    /// Runs `body` with a client whose pool runs for as long as `body` does.
    static func withClient<Value: Sendable>(_ body: (RedisClient) async throws -> Value) async throws -> Value {
        let redis = RedisClient(configuration: try self.configuration(), logger: self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            return try await body(redis)
        }
    }

    /// A name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
    }
}

/// Polls `condition` every 25 ms until it holds, for at most `timeout`; records an issue if it never does.
func eventually(
    _ what: String,
    timeout: Duration = .seconds(10),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    if try await condition() { return }
    Issue.record("timed out after \(timeout) waiting: \(what)", sourceLocation: sourceLocation)
}
