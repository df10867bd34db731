import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The Redis registry: each instance of a service is a member of the sorted set
/// `registry:<service>` scored by when its registration expires (epoch ms, Redis's clock), with
/// its URL and version in the hash `registry:<service>:instances`.
public enum RedisRegistry {
    static func membersKey(_ service: String) -> String { "registry:\(service)" }
    static func detailsKey(_ service: String) -> String { "registry:\(service):instances" }

    /// What an instance publishes about itself.
    public struct Registration: Codable, Sendable, Equatable {
        public var id: String
        public var url: String
        public var version: String
        /// Where the instance serves gRPC (`host:port`), when it does.
        public var grpc: String?

        public init(id: String, url: String, version: String, grpc: String? = nil) {
            self.id = id
            self.url = url
            self.version = version
            self.grpc = grpc
        }
    }

    /// Registers (or renews) an instance for `ttl`.
    static func register(_ registration: Registration, service: String, ttl: Duration, redis: RedisClient) async throws {
        let details = String(decoding: try JSONEncoder().encode(registration), as: UTF8.self)
        let ttlMilliseconds = String(Int64(ttl / .milliseconds(1)))
        // Expiry in Redis's own clock, so instances and clients need not agree on the time.
        let script = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            return now
            """
        try await redis.send(
            "EVAL",
            RedisArgument(script),
            "2",
            RedisArgument(Self.membersKey(service)),
            RedisArgument(Self.detailsKey(service)),
            RedisArgument(registration.id),
            RedisArgument(ttlMilliseconds),
            RedisArgument(details)
        )
    }

    /// Removes an instance at once (graceful shutdown).
    static func deregister(id: String, service: String, redis: RedisClient) async throws {
        _ = try await redis.pipeline([
            ["ZREM", RedisArgument(Self.membersKey(service)), RedisArgument(id)],
            ["HDEL", RedisArgument(Self.detailsKey(service)), RedisArgument(id)],
        ])
    }

    /// The live instances of a service; expired ones are removed on the way.
    static func liveInstances(of service: String, redis: RedisClient) async throws -> [Registration] {
        let script = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            if #expired > 0 then
                redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
                redis.call('HDEL', KEYS[2], unpack(expired))
            end
            local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
            if #live == 0 then return {} end
            return redis.call('HMGET', KEYS[2], unpack(live))
            """
        let reply = try await redis.send(
            "EVAL",
            RedisArgument(script),
            "2",
            RedisArgument(Self.membersKey(service)),
            RedisArgument(Self.detailsKey(service))
        )
        return (reply.array ?? []).compactMap { value in
            value.string.flatMap { try? JSONDecoder().decode(Registration.self, from: Data($0.utf8)) }
        }.sorted { $0.id < $1.id }
    }
}

/// Discovery from the Redis registry, cached for `refreshInterval`; when Redis cannot be
/// read, the last known instances are used (and the configured static ones before anything is
/// known, or while no instance of the service is registered at all).
public final class RedisDiscovery: ServiceDiscovery {
    let redis: RedisClient
    let fallback: StaticDiscovery
    let refreshInterval: Duration
    let time: TimeSource
    private let cache = Mutex<[String: (registrations: [RedisRegistry.Registration], fetchedAt: ContinuousClock.Instant)]>([:])

    public init(redis: RedisClient, fallback: StaticDiscovery, refreshInterval: Duration = .seconds(2), time: TimeSource = .continuous) {
        self.redis = redis
        self.fallback = fallback
        self.refreshInterval = refreshInterval
        self.time = time
    }

    public func instances(of service: String) async throws -> [ServiceInstance] {
        let live = await self.registrations(of: service)
        guard !live.isEmpty else { return try await self.fallback.instances(of: service) }
        return live.map { ServiceInstance(id: $0.id, baseURL: $0.url) }
    }

    public func rpcInstances(of service: String) async throws -> [RPCInstance] {
        let live = await self.registrations(of: service).compactMap { registration in
            registration.grpc.flatMap(RPCAddress.init).map { RPCInstance(id: registration.id, address: $0) }
        }
        guard !live.isEmpty else { return try await self.fallback.rpcInstances(of: service) }
        return live
    }

    /// The live registrations, cached for the refresh interval; the last known ones when Redis
    /// cannot be read, none before anything is known.
    private func registrations(of service: String) async -> [RedisRegistry.Registration] {
        let now = self.time.now
        if let cached = self.cache.withLock({ $0[service] }), now - cached.fetchedAt < self.refreshInterval {
            return cached.registrations
        }
        do {
            let live = try await RedisRegistry.liveInstances(of: service, redis: self.redis)
            if !live.isEmpty { self.cache.withLock { $0[service] = (live, now) } }
            return live
        } catch {
            return self.cache.withLock { $0[service]?.registrations } ?? []
        }
    }
}

/// Keeps this instance registered while it is ready: registers at start, renews every
/// `heartbeat` (a third of the TTL), withdraws while its own readiness checks fail, and
/// deregisters on graceful shutdown.
public struct RegistryHeartbeat: Service {
    let redis: RedisClient
    let service: String
    let registration: RedisRegistry.Registration
    let ttl: Duration
    let isReady: @Sendable () async -> Bool
    let logger: Logger

    public init(
        redis: RedisClient,
        service: String,
        registration: RedisRegistry.Registration,
        ttl: Duration,
        logger: Logger,
        isReady: @escaping @Sendable () async -> Bool
    ) {
        self.redis = redis
        self.service = service
        self.registration = registration
        self.ttl = ttl
        self.isReady = isReady
        self.logger = logger
    }

    public func run() async throws {
        // The loop ends with graceful shutdown (its sleep is cancelled); then deregister at once,
        // before the Redis client closes (it stops after the module's services).
        try? await cancelWhenGracefulShutdown {
            var registered = false
            while !Task.isCancelled {
                registered = await self.beat(registered: registered)
                try await Task.sleep(for: self.ttl / 3)
            }
        }
        do {
            try await RedisRegistry.deregister(id: self.registration.id, service: self.service, redis: self.redis)
            self.logger.info("deregistered from the service registry")
        } catch {
            self.logger.warning("could not deregister; the registration expires by itself", metadata: ["error": "\(error)"])
        }
    }

    /// Registers or renews while ready, withdraws when not; returns whether registered.
    private func beat(registered: Bool) async -> Bool {
        do {
            if await self.isReady() {
                try await RedisRegistry.register(self.registration, service: self.service, ttl: self.ttl, redis: self.redis)
                if !registered { self.logger.info("registered in the service registry", metadata: ["registry.url": "\(self.registration.url)"]) }
                return true
            }
            if registered {
                try await RedisRegistry.deregister(id: self.registration.id, service: self.service, redis: self.redis)
                self.logger.warning("not ready: withdrawn from the service registry")
            }
            return false
        } catch {
            self.logger.warning("service registry heartbeat failed", metadata: ["error": "\(error)"])
            return registered
        }
    }
}
