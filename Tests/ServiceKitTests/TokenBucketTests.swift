import Foundation
import Logging
import ServiceKit
import Testing

/// The token bucket on a manual clock, and the rate limiter built on it: process-local buckets,
/// the fallback when Redis is unreachable, and buckets shared through a real Redis (`REDIS_TEST_URL`).
@Suite(.serialized)
struct TokenBucketTests {
    // MARK: TokenBucket

    @Test func aFullBurstPassesAndTheNextIsRefusedWithTheTimeForOneToken() {
        let time = ManualTime()
        var bucket = TokenBucket(rate: 2, burst: 5, now: time.source.now)
        for expected in (0..<5).reversed() {
            #expect(bucket.take(now: time.source.now) == .init(allowed: true, remaining: expected, retryAfter: .zero))
        }
        // Empty: one token takes 1/rate = 500 ms.
        #expect(bucket.take(now: time.source.now) == .init(allowed: false, remaining: 0, retryAfter: .milliseconds(500)))
        #expect(bucket.take(now: time.source.now) == .init(allowed: false, remaining: 0, retryAfter: .milliseconds(500)))
    }

    @Test(arguments: [(1.0, 1000), (4.0, 250), (10.0, 100), (3.0, 334), (0.5, 2000)])
    func retryAfterOfAnEmptyBucketIsOneOverTheRate(rate: Double, milliseconds: Int64) {
        let time = ManualTime()
        var bucket = TokenBucket(rate: rate, burst: 1, now: time.source.now)
        #expect(bucket.take(now: time.source.now).allowed)
        let refused = bucket.take(now: time.source.now)
        #expect(!refused.allowed)
        // Rounded up to the millisecond: never sooner than the token is there.
        #expect(refused.retryAfter == .milliseconds(milliseconds))
    }

    @Test func tokensRefillWithTimeAtTheRate() {
        let time = ManualTime()
        var bucket = TokenBucket(rate: 2, burst: 4, now: time.source.now)
        for _ in 0..<4 { #expect(bucket.take(now: time.source.now).allowed) }
        #expect(!bucket.take(now: time.source.now).allowed)
        // Half a token after 250 ms: still refused, the rest comes in 250 ms.
        time.advance(by: .milliseconds(250))
        #expect(bucket.take(now: time.source.now) == .init(allowed: false, remaining: 0, retryAfter: .milliseconds(250)))
        time.advance(by: .milliseconds(250))
        #expect(bucket.take(now: time.source.now) == .init(allowed: true, remaining: 0, retryAfter: .zero))
        #expect(!bucket.take(now: time.source.now).allowed)
        // Two tokens after one second.
        time.advance(by: .seconds(1))
        #expect(bucket.take(now: time.source.now) == .init(allowed: true, remaining: 1, retryAfter: .zero))
        #expect(bucket.take(now: time.source.now) == .init(allowed: true, remaining: 0, retryAfter: .zero))
        #expect(!bucket.take(now: time.source.now).allowed)
    }

    @Test func tokensNeverRefillAboveTheBurst() {
        let time = ManualTime()
        var bucket = TokenBucket(rate: 10, burst: 3, now: time.source.now)
        #expect(bucket.take(now: time.source.now).remaining == 2)
        time.advance(by: .seconds(3600))
        for expected in [2, 1, 0] {
            #expect(bucket.take(now: time.source.now) == .init(allowed: true, remaining: expected, retryAfter: .zero))
        }
        #expect(!bucket.take(now: time.source.now).allowed)
    }

    @Test func anInstantBeforeTheLastUpdateRefillsNothing() {
        let time = ManualTime()
        let start = time.source.now
        var bucket = TokenBucket(rate: 1, burst: 1, now: start)
        time.advance(by: .seconds(5))
        #expect(bucket.take(now: time.source.now).allowed)
        // A reading from before the last one (another thread's) neither refills nor moves time back.
        #expect(!bucket.take(now: start).allowed)
        #expect(bucket.take(now: time.source.now).retryAfter == .seconds(1))
    }

    @Test func rateAndBurstAreKeptPositive() {
        let bucket = TokenBucket(rate: 0, burst: 0, now: ContinuousClock.now)
        #expect(bucket.rate > 0)
        #expect(bucket.burst == 1)
    }

    // MARK: RateLimit

    @Test func rateLimitParsesRateSlashBurst() {
        #expect(RateLimit("20/40") == RateLimit(rate: 20, burst: 40))
        #expect(RateLimit("0.5/1") == RateLimit(rate: 0.5, burst: 1))
        for bad in ["", "20", "20/", "/40", "0/5", "-1/5", "5/0", "5/1.5", "a/b", "1/2/3"] {
            #expect(RateLimit(bad) == nil, "\(bad)")
        }
    }

    // MARK: RateLimiter, local buckets

    private static let logger = Logger(label: "rate-limiter-test")

    /// A client that never connects: port 1 on the loopback refuses at once.
    private static func unreachableRedis() throws -> RedisClient {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:1")
        configuration.connectTimeout = .milliseconds(300)
        configuration.commandTimeout = .milliseconds(300)
        return RedisClient(configuration: configuration, logger: Self.logger)
    }

    @Test func takeLocalBehavesLikeATokenBucketPerKey() throws {
        let time = ManualTime()
        let limiter = RateLimiter(redis: try Self.unreachableRedis(), logger: Self.logger, time: time.source)
        let limit = RateLimit(rate: 4, burst: 3)
        for expected in [2, 1, 0] {
            #expect(limiter.takeLocal(key: "client-a", limit: limit) == .init(allowed: true, remaining: expected, retryAfter: .zero))
        }
        #expect(limiter.takeLocal(key: "client-a", limit: limit) == .init(allowed: false, remaining: 0, retryAfter: .milliseconds(250)))
        time.advance(by: .milliseconds(250))
        #expect(limiter.takeLocal(key: "client-a", limit: limit).allowed)
        #expect(!limiter.takeLocal(key: "client-a", limit: limit).allowed)
    }

    @Test func localKeysAreIndependent() throws {
        let time = ManualTime()
        let limiter = RateLimiter(redis: try Self.unreachableRedis(), logger: Self.logger, time: time.source)
        let limit = RateLimit(rate: 1, burst: 2)
        #expect(limiter.takeLocal(key: "a", limit: limit).allowed)
        #expect(limiter.takeLocal(key: "a", limit: limit).allowed)
        #expect(!limiter.takeLocal(key: "a", limit: limit).allowed)
        // "b" still has its full burst.
        #expect(limiter.takeLocal(key: "b", limit: limit) == .init(allowed: true, remaining: 1, retryAfter: .zero))
        #expect(limiter.takeLocal(key: "b", limit: limit).allowed)
        #expect(!limiter.takeLocal(key: "b", limit: limit).allowed)
        #expect(!limiter.takeLocal(key: "a", limit: limit).allowed)
    }

    @Test func aChangedLimitStartsTheLocalBucketOver() throws {
        let time = ManualTime()
        let limiter = RateLimiter(redis: try Self.unreachableRedis(), logger: Self.logger, time: time.source)
        #expect(limiter.takeLocal(key: "k", limit: RateLimit(rate: 1, burst: 1)).allowed)
        #expect(!limiter.takeLocal(key: "k", limit: RateLimit(rate: 1, burst: 1)).allowed)
        #expect(limiter.takeLocal(key: "k", limit: RateLimit(rate: 1, burst: 2)) == .init(allowed: true, remaining: 1, retryAfter: .zero))
    }

    @Test func localBucketsBeyondTheCapacityStartOver() throws {
        let time = ManualTime()
        let limiter = RateLimiter(redis: try Self.unreachableRedis(), logger: Self.logger, time: time.source, localCapacity: 2)
        let limit = RateLimit(rate: 1, burst: 1)
        #expect(limiter.takeLocal(key: "a", limit: limit).allowed)
        #expect(limiter.takeLocal(key: "b", limit: limit).allowed)
        #expect(!limiter.takeLocal(key: "a", limit: limit).allowed)
        // A third key drops the others: "a" is full again.
        #expect(limiter.takeLocal(key: "c", limit: limit).allowed)
        #expect(limiter.takeLocal(key: "a", limit: limit).allowed)
    }

    // MARK: RateLimiter through Redis

    /// Runs `body` with a running client, then shuts it down.
    private func withClient<T: Sendable>(_ client: RedisClient, _ body: (RedisClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                let result = try await body(client)
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// A client of the test server; fails the test (never skips it) when `REDIS_TEST_URL` is missing.
    private func testRedis() throws -> RedisClient {
        let url = try #require(
            ProcessInfo.processInfo.environment["REDIS_TEST_URL"],
            "REDIS_TEST_URL is not set: start redis-server and export REDIS_TEST_URL=redis://127.0.0.1:6379"
        )
        return RedisClient(configuration: try RedisConfiguration(url: url), logger: Self.logger)
    }

    private func uniqueKey() -> String { "test:ratelimit:\(UInt64.random(in: 0...UInt64.max))" }

    @Test func takeFallsBackToTheLocalBucketWhenRedisIsUnreachable() async throws {
        let time = ManualTime()
        try await self.withClient(try Self.unreachableRedis()) { (redis) async throws in
            let limiter = RateLimiter(redis: redis, logger: Self.logger, time: time.source)
            let limit = RateLimit(rate: 2, burst: 3)
            for expected in [2, 1, 0] {
                #expect(await limiter.take(key: "client", limit: limit) == .init(allowed: true, remaining: expected, retryAfter: .zero))
            }
            #expect(await limiter.take(key: "client", limit: limit) == .init(allowed: false, remaining: 0, retryAfter: .milliseconds(500)))
            // Another key has a bucket of its own.
            #expect(await limiter.take(key: "other", limit: limit).allowed)
        }
    }

    @Test func takeThroughRedisAllowsTheBurstThenRefuses() async throws {
        let key = self.uniqueKey()
        try await self.withClient(try self.testRedis()) { (redis) async throws in
            let limiter = RateLimiter(redis: redis, logger: Self.logger)
            // One token per 10 s: nothing refills during the test.
            let limit = RateLimit(rate: 0.1, burst: 3)
            for expected in [2, 1, 0] {
                let decision = await limiter.take(key: key, limit: limit)
                #expect(decision == .init(allowed: true, remaining: expected, retryAfter: .zero))
            }
            let refused = await limiter.take(key: key, limit: limit)
            #expect(!refused.allowed)
            #expect(refused.remaining == 0)
            #expect(refused.retryAfter > .zero && refused.retryAfter <= .seconds(10))
            // The state is in Redis (not a local fallback) and expires by itself.
            let tokens = try await redis.send("HGET", RedisArgument(key), "tokens")
            #expect(tokens.string.flatMap(Double.init).map { $0 < 1 } == true, "tokens in Redis: \(tokens)")
            let ttl = try #require(try await redis.send("PTTL", RedisArgument(key)).int)
            #expect(ttl > 0 && ttl <= 31_000)
            try await redis.send("DEL", RedisArgument(key))
        }
    }

    @Test func twoReplicasShareOneBucket() async throws {
        let key = self.uniqueKey()
        let limit = RateLimit(rate: 0.1, burst: 4)
        try await self.withClient(try self.testRedis()) { (first) async throws in
            try await self.withClient(try self.testRedis()) { (second) async throws in
                let replicaA = RateLimiter(redis: first, logger: Self.logger)
                let replicaB = RateLimiter(redis: second, logger: Self.logger)
                #expect(await replicaA.take(key: key, limit: limit).allowed)
                #expect(await replicaA.take(key: key, limit: limit).allowed)
                #expect(await replicaA.take(key: key, limit: limit).allowed)
                // B sees A's three: one token left, then none for either.
                #expect(await replicaB.take(key: key, limit: limit) == .init(allowed: true, remaining: 0, retryAfter: .zero))
                let refusedB = await replicaB.take(key: key, limit: limit)
                #expect(!refusedB.allowed && refusedB.retryAfter > .zero)
                #expect(!(await replicaA.take(key: key, limit: limit)).allowed)
                // Another key is untouched.
                #expect(await replicaB.take(key: key + ":other", limit: limit) == .init(allowed: true, remaining: 3, retryAfter: .zero))
                try await first.send("DEL", RedisArgument(key), RedisArgument(key + ":other"))
            }
        }
    }

    @Test func concurrentTakesThroughRedisAdmitExactlyTheBurst() async throws {
        let key = self.uniqueKey()
        let limit = RateLimit(rate: 0.1, burst: 10)
        try await self.withClient(try self.testRedis()) { (redis) async throws in
            let limiter = RateLimiter(redis: redis, logger: Self.logger)
            let allowed = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 {
                    group.addTask { await limiter.take(key: key, limit: limit).allowed }
                }
                var allowed = 0
                for await result in group where result { allowed += 1 }
                return allowed
            }
            #expect(allowed == 10)
            try await redis.send("DEL", RedisArgument(key))
        }
    }
}
