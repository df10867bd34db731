import Foundation
import ServiceKit
import Testing

@testable import AuthService

/// ``ClientAttemptLimit`` (registrations, failed refreshes) against a real Redis.
struct ClientAttemptLimitTests {
    private func limit(_ redis: RedisClient, _ count: Int) -> ClientAttemptLimit {
        ClientAttemptLimit(redis: redis, scope: "test:attempts", limit: count, window: .seconds(600), refusal: "Too many.")
    }

    private func take(_ limit: ClientAttemptLimit, _ client: String) async throws -> ClientAttemptLimit.Attempt? {
        do {
            return try await limit.take(client: client, logger: TestRedis.logger)
        } catch let problem as ProblemError where problem.status == .tooManyRequests {
            let seconds = try #require(problem.headers[.retryAfter].flatMap { Int($0) })
            #expect(seconds > 500 && seconds <= 600, "Retry-After is what is left of the window: \(seconds)")
            return nil
        }
    }

    @Test("Parallel attempts: exactly the limit get through, per client address")
    func parallelAttemptsAreCountedAtomically() async throws {
        try await TestRedis.withClient { redis in
            let limit = self.limit(redis, 5)
            let client = TestRedis.newClient()
            let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 { group.addTask { try await self.take(limit, client) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(admitted == 5)
            #expect(try await self.take(limit, TestRedis.newClient()) != nil, "another address has its own count")
        }
    }

    @Test("A refunded attempt does not count")
    func refundsGiveTheAttemptBack() async throws {
        try await TestRedis.withClient { redis in
            let limit = self.limit(redis, 2)
            let client = TestRedis.newClient()
            for round in 0..<10 {
                let attempt = try #require(try await self.take(limit, client), "round \(round)")
                await limit.refund(attempt, logger: TestRedis.logger)
            }
            _ = try #require(try await self.take(limit, client))
            _ = try #require(try await self.take(limit, client))
            #expect(try await self.take(limit, client) == nil)
        }
    }

    @Test("Register and refresh read their settings, with defaults")
    func settings() async throws {
        try await TestRedis.withClient { redis in
            let defaults = SettingsReader(environment: [:])
            let register = try ClientAttemptLimit.registrations(redis: redis, settings: defaults)
            let refresh = try ClientAttemptLimit.refreshFailures(redis: redis, settings: defaults)
            #expect(register.limit == 20 && register.window == .seconds(3600))
            #expect(refresh.limit == 20 && refresh.window == .seconds(900))
            let custom = SettingsReader(environment: ["AUTH_REGISTER_MAX_PER_CLIENT": "3", "AUTH_REFRESH_MAX_FAILURES_PER_CLIENT": "7"])
            #expect(try ClientAttemptLimit.registrations(redis: redis, settings: custom).limit == 3)
            #expect(try ClientAttemptLimit.refreshFailures(redis: redis, settings: custom).limit == 7)
        }
    }
}
