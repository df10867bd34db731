import Foundation
import Logging
import Synchronization
import Testing

@testable import ServiceKit

/// The Redis service registry against a real redis-server at `REDIS_TEST_URL`: registration,
/// expiry, discovery with its cache and fallbacks, and the heartbeat. Every test uses service
/// names of its own, so tests never see each other's instances.
@Suite(.serialized)
struct RegistryTests {
    private static let logger = Logger(label: "registry-test")

    /// The server under test; fails the test (never skips it) when the variable is missing.
    private func testConfiguration() throws -> RedisConfiguration {
        let url = try #require(
            ProcessInfo.processInfo.environment["REDIS_TEST_URL"],
            "REDIS_TEST_URL is not set: start redis-server and export REDIS_TEST_URL=redis://127.0.0.1:6379"
        )
        return try RedisConfiguration(url: url)
    }

    /// Runs `body` with a client whose `run()` is going, then shuts the client down.
    private func withClient<T: Sendable>(
        _ configuration: RedisConfiguration? = nil,
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        let client = RedisClient(configuration: try configuration ?? self.testConfiguration(), logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
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

    /// A service name no other test (or run) uses; its keys are deleted at the end of `body`.
    private func withService<T: Sendable>(
        _ redis: RedisClient,
        _ test: String = #function,
        _ body: (String) async throws -> T
    ) async throws -> T {
        let service = "test-\(test.prefix(while: { $0 != "(" }))-\(UInt64.random(in: 0...UInt64.max))"
        let cleanUp = {
            _ = try? await redis.send(
                "DEL",
                RedisArgument(RedisRegistry.membersKey(service)),
                RedisArgument(RedisRegistry.detailsKey(service))
            )
        }
        do {
            let result = try await body(service)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    private static func registration(_ id: String, port: Int) -> RedisRegistry.Registration {
        RedisRegistry.Registration(id: id, url: "http://10.0.0.\(port % 250):\(port)", version: "1.2.3")
    }

    /// Whether `id` is a member of the service's sorted set (read raw, without removing expired members).
    private func isMember(_ id: String, of service: String, redis: RedisClient) async throws -> Bool {
        !(try await redis.send("ZSCORE", RedisArgument(RedisRegistry.membersKey(service)), RedisArgument(id))).isNull
    }

    private func hasDetails(_ id: String, of service: String, redis: RedisClient) async throws -> Bool {
        try await redis.send("HEXISTS", RedisArgument(RedisRegistry.detailsKey(service)), RedisArgument(id)).int == 1
    }

    /// Polls `condition` every 20 ms until it holds or `limit` has passed; returns whether it held.
    private func eventually(within limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    // MARK: Registration and discovery

    @Test func registeredInstancesAreListedUntilDeregistered() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let discovery = RedisDiscovery(redis: redis, fallback: StaticDiscovery(endpoints: [:]), refreshInterval: .zero)
                let first = Self.registration("instance-a", port: 9001)
                let second = Self.registration("instance-b", port: 9002)
                try await RedisRegistry.register(first, service: service, ttl: .seconds(30), redis: redis)
                try await RedisRegistry.register(second, service: service, ttl: .seconds(30), redis: redis)
                #expect(
                    try await discovery.instances(of: service) == [
                        ServiceInstance(id: "instance-a", baseURL: first.url),
                        ServiceInstance(id: "instance-b", baseURL: second.url),
                    ]
                )
                #expect(try await RedisRegistry.liveInstances(of: service, redis: redis) == [first, second])
                // Another service sees none of them.
                #expect(try await discovery.instances(of: service + "-other").isEmpty)

                try await RedisRegistry.deregister(id: "instance-a", service: service, redis: redis)
                #expect(try await discovery.instances(of: service) == [ServiceInstance(id: "instance-b", baseURL: second.url)])
                #expect(try await !self.hasDetails("instance-a", of: service, redis: redis))
                try await RedisRegistry.deregister(id: "instance-b", service: service, redis: redis)
                #expect(try await discovery.instances(of: service).isEmpty)
            }
        }
    }

    @Test func renewingARegistrationReplacesItsDetails() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                try await RedisRegistry.register(Self.registration("one", port: 9001), service: service, ttl: .seconds(30), redis: redis)
                let moved = RedisRegistry.Registration(id: "one", url: "http://10.0.0.9:9009", version: "2.0.0")
                try await RedisRegistry.register(moved, service: service, ttl: .seconds(30), redis: redis)
                #expect(try await RedisRegistry.liveInstances(of: service, redis: redis) == [moved])
            }
        }
    }

    @Test func aRegistrationExpiresAfterItsTTL() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let discovery = RedisDiscovery(redis: redis, fallback: StaticDiscovery(endpoints: [:]), refreshInterval: .zero)
                let short = Self.registration("short-lived", port: 9001)
                let long = Self.registration("long-lived", port: 9002)
                // Long enough that a busy machine reads both before the short one expires.
                try await RedisRegistry.register(short, service: service, ttl: .seconds(2), redis: redis)
                try await RedisRegistry.register(long, service: service, ttl: .seconds(30), redis: redis)
                #expect(try await discovery.instances(of: service).map(\.id) == ["long-lived", "short-lived"])
                // Await the expiry (bounded) instead of sleeping a guess.
                var live = ["long-lived", "short-lived"]
                let deadline = ContinuousClock.now.advanced(by: .seconds(20))
                while live.count > 1, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    live = try await discovery.instances(of: service).map(\.id)
                }
                #expect(live == ["long-lived"])
                // Reading removed the expired member and its details.
                #expect(try await !self.isMember("short-lived", of: service, redis: redis))
                #expect(try await !self.hasDetails("short-lived", of: service, redis: redis))
                #expect(try await self.hasDetails("long-lived", of: service, redis: redis))
            }
        }
    }

    @Test func discoveryCachesForItsRefreshInterval() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let time = ManualTime()
                let discovery = RedisDiscovery(
                    redis: redis,
                    fallback: StaticDiscovery(endpoints: [:]),
                    refreshInterval: .seconds(2),
                    time: time.source
                )
                try await RedisRegistry.register(Self.registration("a", port: 9001), service: service, ttl: .seconds(30), redis: redis)
                #expect(try await discovery.instances(of: service).map(\.id) == ["a"])
                try await RedisRegistry.register(Self.registration("b", port: 9002), service: service, ttl: .seconds(30), redis: redis)
                #expect(try await discovery.instances(of: service).map(\.id) == ["a"])
                time.advance(by: .milliseconds(1999))
                #expect(try await discovery.instances(of: service).map(\.id) == ["a"])
                time.advance(by: .milliseconds(1))
                #expect(try await discovery.instances(of: service).map(\.id) == ["a", "b"])
                // The refreshed list is cached again from now on.
                try await RedisRegistry.deregister(id: "a", service: service, redis: redis)
                #expect(try await discovery.instances(of: service).map(\.id) == ["a", "b"])
                time.advance(by: .seconds(2))
                #expect(try await discovery.instances(of: service).map(\.id) == ["b"])
            }
        }
    }

    @Test func discoveryFallsBackToStaticEndpointsWhenNothingIsRegistered() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let fallback = StaticDiscovery(endpoints: [service: ["http://fallback-1:8083", "http://fallback-2:8083"]])
                let discovery = RedisDiscovery(redis: redis, fallback: fallback, refreshInterval: .zero)
                #expect(try await discovery.instances(of: service).map(\.baseURL) == ["http://fallback-1:8083", "http://fallback-2:8083"])
                // Once an instance registers, the registry wins; when it leaves, the fallback is back.
                try await RedisRegistry.register(Self.registration("live", port: 9001), service: service, ttl: .seconds(30), redis: redis)
                #expect(try await discovery.instances(of: service).map(\.id) == ["live"])
                try await RedisRegistry.deregister(id: "live", service: service, redis: redis)
                #expect(try await discovery.instances(of: service).map(\.baseURL) == ["http://fallback-1:8083", "http://fallback-2:8083"])
            }
        }
    }

    @Test func discoveryFallsBackToStaticEndpointsWhenRedisIsUnreachable() async throws {
        var unreachable = try RedisConfiguration(url: "redis://127.0.0.1:1")
        unreachable.connectTimeout = .milliseconds(300)
        unreachable.commandTimeout = .milliseconds(300)
        try await self.withClient(unreachable) { (redis) async throws in
            let fallback = StaticDiscovery(endpoints: ["product": ["http://product:8083"]])
            let discovery = RedisDiscovery(redis: redis, fallback: fallback, refreshInterval: .zero)
            #expect(try await discovery.instances(of: "product") == [ServiceInstance(id: "http://product:8083", baseURL: "http://product:8083")])
            #expect(try await discovery.instances(of: "order").isEmpty)
        }
    }

    // MARK: Heartbeat

    /// A readiness flag the heartbeat reads and the test flips.
    private final class Readiness: Sendable {
        private let value: Mutex<Bool>
        init(_ value: Bool) { self.value = Mutex(value) }
        var isReady: Bool { self.value.withLock { $0 } }
        func set(_ value: Bool) { self.value.withLock { $0 = value } }
    }

    /// Runs a heartbeat in a task and cancels it at the end of `body` (also when `body` throws).
    private func withHeartbeat(
        _ heartbeat: RegistryHeartbeat,
        _ body: (Task<Void, any Error>) async throws -> Void
    ) async throws {
        let task = Task { try await heartbeat.run() }
        do {
            try await body(task)
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
        task.cancel()
        _ = await task.result
    }

    @Test func heartbeatRegistersWhileReadyAndWithdrawsWhenNot() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let readiness = Readiness(true)
                let registration = Self.registration("heart-1", port: 9001)
                // Beats every 500 ms (a third of the TTL): a busy machine may delay a beat, not three.
                let heartbeat = RegistryHeartbeat(
                    redis: redis,
                    service: service,
                    registration: registration,
                    ttl: .milliseconds(1500),
                    logger: Self.logger
                ) { readiness.isReady }
                let discovery = RedisDiscovery(redis: redis, fallback: StaticDiscovery(endpoints: [:]), refreshInterval: .zero)
                try await self.withHeartbeat(heartbeat) { (_) async throws in
                    #expect(try await self.eventually(within: .seconds(10)) { try await discovery.instances(of: service).map(\.id) == ["heart-1"] })
                    // Renewed: still there well after one TTL.
                    try await Task.sleep(for: .milliseconds(2500))
                    #expect(try await discovery.instances(of: service) == [ServiceInstance(id: "heart-1", baseURL: registration.url)])

                    // Not ready: withdrawn (removed from the set, which expiry alone never does without a read).
                    readiness.set(false)
                    #expect(try await self.eventually(within: .seconds(10)) { try await !self.isMember("heart-1", of: service, redis: redis) })
                    #expect(try await !self.hasDetails("heart-1", of: service, redis: redis))

                    // Ready again: back.
                    readiness.set(true)
                    #expect(try await self.eventually(within: .seconds(10)) { try await self.isMember("heart-1", of: service, redis: redis) })
                }
            }
        }
    }

    @Test func heartbeatDeregistersWhenCancelled() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                // A long TTL: only deregistration can remove the instance within the test.
                let heartbeat = RegistryHeartbeat(
                    redis: redis,
                    service: service,
                    registration: Self.registration("heart-2", port: 9002),
                    ttl: .seconds(30),
                    logger: Self.logger
                ) { true }
                try await self.withHeartbeat(heartbeat) { (task) async throws in
                    #expect(try await self.eventually(within: .seconds(10)) { try await self.isMember("heart-2", of: service, redis: redis) })
                    task.cancel()
                    _ = await task.result
                    #expect(try await !self.isMember("heart-2", of: service, redis: redis))
                    #expect(try await !self.hasDetails("heart-2", of: service, redis: redis))
                }
            }
        }
    }

    @Test func heartbeatNeverRegistersWhileNotReady() async throws {
        try await self.withClient { (redis) async throws in
            try await self.withService(redis) { (service) async throws in
                let asked = Mutex(0)
                let heartbeat = RegistryHeartbeat(
                    redis: redis,
                    service: service,
                    registration: Self.registration("heart-3", port: 9003),
                    ttl: .milliseconds(300),
                    logger: Self.logger
                ) {
                    asked.withLock { $0 += 1 }
                    return false
                }
                try await self.withHeartbeat(heartbeat) { (_) async throws in
                    // Several beats asked for readiness, none registered.
                    #expect(try await self.eventually(within: .seconds(10)) { asked.withLock { $0 } >= 3 })
                    #expect(try await !self.isMember("heart-3", of: service, redis: redis))
                    #expect(try await !self.hasDetails("heart-3", of: service, redis: redis))
                }
            }
        }
    }
}
