import Foundation
import Logging
import ServiceKit
import Synchronization
import Testing

@testable import AuthService

/// The Redis server at `REDIS_TEST_URL` (which `make test` starts), for the throttles.
enum TestRedis {
    static let logger = Logger(label: "auth-test")

    /// Runs `body` with a client whose pool runs for as long as `body` does; fails (never skips)
    /// when `REDIS_TEST_URL` is missing.
    static func withClient<Value: Sendable>(
        _ configure: (inout RedisConfiguration) -> Void = { _ in },
        _ body: (RedisClient) async throws -> Value
    ) async throws -> Value {
        let url = try #require(ProcessInfo.processInfo.environment["REDIS_TEST_URL"], "REDIS_TEST_URL is not set")
        var configuration = try RedisConfiguration(url: url)
        configure(&configuration)
        let redis = RedisClient(configuration: configuration, logger: self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            return try await body(redis)
        }
    }

    /// An account no other test uses.
    static func newAccount() -> String { "throttle-\(UUID().uuidString.lowercased())@example.com" }

    /// A client address no other test uses (from the documentation range 2001:db8::/32).
    static func newClient() -> String { "2001:db8::\(String(UInt16.random(in: 1...UInt16.max), radix: 16)):\(UUID().uuidString.prefix(4))" }
}

/// Wall-clock milliseconds that only move when told to.
final class ManualWallClock: Sendable {
    private let milliseconds = Mutex<Int64>(1_750_000_000_000)

    func advance(by duration: Duration) {
        self.milliseconds.withLock { $0 += Int64(duration / .milliseconds(1)) }
    }

    var read: @Sendable () -> Int64 { { self.milliseconds.withLock { $0 } } }
}

/// The outcome of an admission.
enum Admission: Sendable {
    case admitted(LoginThrottle.Attempt)
    case refused(retryAfterSeconds: Int)

    var attempt: LoginThrottle.Attempt? { if case .admitted(let attempt) = self { attempt } else { nil } }

    var retryAfterSeconds: Int? { if case .refused(let seconds) = self { seconds } else { nil } }
}

extension LoginThrottle {
    /// ``admit(account:client:logger:)`` as a value: a 429 becomes `.refused`, anything else is thrown.
    func admission(_ account: String, from client: String) async throws -> Admission {
        do {
            return .admitted(try await self.admit(account: account, client: client, logger: TestRedis.logger))
        } catch let problem as ProblemError where problem.status == .tooManyRequests {
            let seconds = try #require(problem.headers[.retryAfter].flatMap { Int($0) }, "429 without Retry-After")
            return .refused(retryAfterSeconds: seconds)
        }
    }
}
