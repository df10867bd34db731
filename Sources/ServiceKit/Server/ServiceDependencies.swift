import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// The clients a service uses, created once per process.
public struct ServiceDependencies: Sendable {
    public let configuration: ServiceConfiguration
    public let settings: SettingsReader
    public let logger: Logger
    /// The service's database, if it has one.
    public let database: Database?
    public let redis: RedisClient
    /// The HTTP client for other services (the gateway's proxying, auth's keys).
    public let serviceClient: ServiceClient
    /// The gRPC client for other services' internal API.
    public let rpcClient: RPCClient
    /// Issuer, audience and lifetimes of access tokens.
    public let tokenPolicy: TokenPolicy
    /// Verifies callers' access tokens against auth's key set.
    public let tokenVerifier: TokenVerifier
    /// This service's own tokens for internal calls (one per service called), when it has
    /// client credentials.
    public let serviceTokens: ServiceTokenSource?
    /// The proxies whose `X-Forwarded-For` the edge believes (`TRUSTED_PROXIES`; the gateway's).
    public let trustedProxies: TrustedProxies
    private let keySet: SwitchableKeySetSource
    /// How this instance announces itself, when discovery is the Redis registry.
    let registration: RegistrySettings?

    public init(descriptor: ServiceDescriptor, configuration: ServiceConfiguration, settings: SettingsReader, logger: Logger) throws {
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        self.database = configuration.database.map { Database(settings: $0, logger: logger) }
        self.redis = RedisClient(configuration: configuration.redis, logger: logger)
        // Every setting is read before the HTTP client exists: a client dropped without a
        // shutdown traps, and a bad setting must end in one line, not a crash.
        self.tokenPolicy = try TokenPolicy(settings: settings)
        self.trustedProxies = try TrustedProxies(setting: settings.raw("trusted.proxies"))
        let staticDiscovery = StaticDiscovery(endpoints: configuration.client.endpoints, rpcEndpoints: configuration.client.rpcEndpoints)
        let discovery: any ServiceDiscovery
        switch settings.string("discovery.backend", default: "static").lowercased() {
        case "static":
            discovery = staticDiscovery
            self.registration = nil
        case "redis":
            discovery = RedisDiscovery(
                redis: self.redis,
                fallback: staticDiscovery,
                refreshInterval: try settings.seconds("discovery.refreshSeconds", default: .seconds(1), range: 0.05...60)
            )
            let advertisedHost = configuration.host == "0.0.0.0" ? ProcessInfo.processInfo.hostName : configuration.host
            self.registration = RegistrySettings(
                registration: RedisRegistry.Registration(
                    id: configuration.instanceID,
                    url: try settings.urls("service.url", default: ["http://\(advertisedHost):\(configuration.port)"])[0],
                    version: ServiceDescriptor.softwareVersion,
                    grpc: try configuration.grpc.map { grpc in
                        let host = ["0.0.0.0", "::"].contains(grpc.host) ? ProcessInfo.processInfo.hostName : grpc.host
                        return try settings.rpcAddresses("service.grpcAddress", default: [RPCAddress(host: host, port: grpc.port)])[0].description
                    }
                ),
                ttl: try settings.seconds("discovery.ttlSeconds", default: .seconds(6), range: 0.3...600)
            )
        case let other:
            throw ConfigurationError(setting: "DISCOVERY_BACKEND", problem: "must be static or redis, got \"\(other)\"")
        }
        let httpClient = ServiceClient.makeHTTPClient(settings: configuration.client, logger: logger)
        let breakers = BreakerRegistry(policy: configuration.client.breaker, logger: logger)
        self.serviceClient = ServiceClient(
            httpClient: httpClient,
            discovery: discovery,
            settings: configuration.client,
            breakers: breakers
        )
        self.rpcClient = RPCClient(
            discovery: discovery,
            settings: configuration.client,
            breakers: breakers,
            bulkheads: self.serviceClient.bulkheads,
            logger: logger
        )
        self.keySet = SwitchableKeySetSource(RemoteKeySetSource(client: self.serviceClient))
        self.tokenVerifier = TokenVerifier(policy: self.tokenPolicy, service: descriptor.name, source: self.keySet)
        if let secret = settings.raw("service.clientSecret", secret: true) {
            self.serviceTokens = ServiceTokenSource.remote(
                clientID: settings.string("service.clientId", default: descriptor.name),
                clientSecret: secret,
                client: self.rpcClient
            )
        } else {
            self.serviceTokens = nil
        }
    }

    /// Makes the verifier read keys from `source` instead of fetching them from auth (auth
    /// itself verifies with its own keys).
    public func useKeySet(_ source: any KeySetSource) {
        self.keySet.replace(with: source)
    }

    /// The database, or a configuration error if the service was declared without one.
    public func requireDatabase() throws -> Database {
        guard let database else { throw ConfigurationError(setting: "DATABASE_URL", problem: "is required by this service") }
        return database
    }

    /// The service's own token source, or a configuration error naming the missing secret.
    public func requireServiceTokens() throws -> ServiceTokenSource {
        guard let serviceTokens else {
            throw ConfigurationError(setting: "SERVICE_CLIENT_SECRET", problem: "is required: this service calls other services' internal API")
        }
        return serviceTokens
    }

    /// Calls to other services' internal gRPC API with this service's tokens, or a
    /// configuration error naming the missing secret.
    public func requireInternalCalls() throws -> InternalCalls {
        InternalCalls(client: self.rpcClient, tokens: try self.requireServiceTokens())
    }

    /// Clients that must run for as long as the process serves, in start order (they stop in
    /// reverse, after the server has drained).
    var lifecycleServices: [any Service] {
        var services: [any Service] = []
        if let database { services.append(database.client) }
        services.append(self.redis)
        services.append(HTTPClientService(client: self.serviceClient.httpClient))
        services.append(self.rpcClient)
        services.append(self.dependencyProbe)
        return services
    }

    /// `service_dependency_up` for the database (as `postgres`) and Redis.
    var dependencyProbe: DependencyProbe {
        let dependencies = self.readinessChecks.map { check in
            DependencyProbe.Dependency(label: check.name == "database" ? "postgres" : check.name, check: check)
        }
        return DependencyProbe(dependencies: dependencies, logger: self.logger)
    }

    /// The heartbeat that keeps this instance in the Redis registry while it is ready, if any.
    func registryHeartbeat(service: String) -> RegistryHeartbeat? {
        guard let registration else { return nil }
        return RegistryHeartbeat(
            redis: self.redis,
            service: service,
            registration: registration.registration,
            ttl: registration.ttl,
            logger: self.logger,
            isReady: self.isReady
        )
    }

    /// Whether this instance is ready: started, and its database and Redis answer.
    var isReady: @Sendable () async -> Bool {
        let checks = self.readinessChecks
        let logger = self.logger
        return {
            guard StartupGate.shared.isOpen else { return false }
            for check in checks {
                do { try await check.probe(logger) } catch { return false }
            }
            return true
        }
    }

    /// Readiness probes of this process's own dependencies.
    var readinessChecks: [ReadinessCheck] {
        var checks: [ReadinessCheck] = []
        if let database {
            checks.append(ReadinessCheck(name: "database") { logger in try await database.client.query("SELECT 1", logger: logger) })
        }
        let redis = self.redis
        checks.append(ReadinessCheck(name: "redis") { _ in try await redis.ping() })
        return checks
    }
}

/// A key set source that can be swapped once at start-up.
final class SwitchableKeySetSource: KeySetSource {
    private let current: Mutex<any KeySetSource>

    init(_ initial: any KeySetSource) {
        self.current = Mutex(initial)
    }

    func replace(with source: any KeySetSource) {
        self.current.withLock { $0 = source }
    }

    func fetchKeySet(logger: Logger) async throws -> String {
        let source = self.current.withLock { $0 }
        return try await source.fetchKeySet(logger: logger)
    }
}

/// What an instance registers in the Redis registry, and for how long each heartbeat counts.
struct RegistrySettings: Sendable {
    var registration: RedisRegistry.Registration
    var ttl: Duration
}
