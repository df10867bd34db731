import Foundation
import Logging

/// The settings every service reads at start (see docs/configuration.md).
public struct ServiceConfiguration: Sendable {
    /// The service's name, e.g. `product`.
    public var service: String
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    public var instanceID: String
    /// `nil` for a service without a database (the gateway).
    public var database: DatabaseSettings?
    public var redis: RedisConfiguration
    public var maxBodyBytes: Int
    public var shutdownTimeout: Duration
    public var startupTimeout: Duration
    public var client: ClientSettings
    /// The certificate and key to serve HTTPS with (`TLS_CERTIFICATE_FILE`, `TLS_KEY_FILE`); `nil`
    /// serves plain HTTP.
    public var tls: ServerTLS?
    /// Where the service serves its internal gRPC API (`GRPC_HOST`, default `HTTP_HOST`;
    /// `GRPC_PORT`); `nil` for a service nobody calls.
    public var grpc: RPCAddress?

    /// Reads and validates the common settings; throws ``ConfigurationError`` naming the first
    /// bad one.
    public init(service: String, defaultPort: Int, defaultGRPCPort: Int? = nil, usesDatabase: Bool, settings: SettingsReader) throws {
        self.service = service
        self.host = settings.string("http.host", default: "127.0.0.1")
        self.port = try settings.int("http.port", default: defaultPort, range: 0...65_535)
        if let defaultGRPCPort {
            // gRPC binds an address, not a name: `localhost` (a common HTTP_HOST) is 127.0.0.1.
            let host = settings.string("grpc.host", default: self.host == "localhost" ? "127.0.0.1" : self.host)
            guard IPAddress(exactly: host) != nil else {
                throw ConfigurationError(setting: "GRPC_HOST", problem: "must be an IPv4 or IPv6 address (e.g. 0.0.0.0 or ::), got \"\(host)\"")
            }
            self.grpc = RPCAddress(host: host, port: try settings.int("grpc.port", default: defaultGRPCPort, range: 0...65_535))
        }
        let levelText = settings.string("log.level", default: "info").lowercased()
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError(
                setting: "LOG_LEVEL",
                problem: "must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelText)\""
            )
        }
        self.logLevel = level
        self.instanceID = settings.string("instance.id", default: "\(service)-\(ProcessInfo.processInfo.hostName)-\(getpid())")
        if usesDatabase {
            let url = try settings.requiredString("database.url", hint: "postgres://user:password@host:port/database", secret: true)
            var database = try DatabaseSettings(
                url: url,
                poolSize: settings.int("database.poolSize", default: 10, range: 1...200)
            )
            database.tls = try DatabaseTLS(settings: settings)
            // A fixed pool by default: connections beyond the minimum cost a timer per query.
            database.minimumConnections = try settings.int("database.poolMin", default: database.poolSize, range: 0...200)
            database.idleTimeout = try settings.seconds("database.poolIdleSeconds", default: .seconds(60), range: 1...86_400)
            let keepAlive = try settings.seconds("database.keepaliveSeconds", default: .zero, range: 0...86_400)
            database.keepAlive = keepAlive > .zero ? keepAlive : nil
            self.database = database
        } else {
            self.database = nil
        }
        let redisURL = try settings.requiredString("redis.url", hint: "redis://host:port, or rediss:// for TLS", secret: true)
        do {
            self.redis = try RedisConfiguration(url: redisURL)
        } catch {
            throw ConfigurationError(setting: "REDIS_URL", problem: "must look like redis://[:password@]host:port[/db] (rediss:// for TLS)")
        }
        if let caFile = settings.raw("redis.tlsCaFile") {
            guard self.redis.tls != nil else {
                throw ConfigurationError(setting: "REDIS_TLS_CA_FILE", problem: "is set, but REDIS_URL is not a rediss:// URL (TLS)")
            }
            self.redis.tls = RedisTLS(trustRoots: try TLSFiles.certificates(at: caFile, setting: "REDIS_TLS_CA_FILE"))
        }
        self.redis.poolSize = try settings.int("redis.poolSize", default: 4, range: 1...64)
        self.maxBodyBytes = try settings.int("http.maxBodyBytes", default: 1_048_576, range: 1...1_073_741_824)
        self.shutdownTimeout = try settings.seconds("shutdown.timeoutSeconds", default: .seconds(10), range: 0...600)
        self.startupTimeout = try settings.seconds("startup.timeoutSeconds", default: .seconds(10), range: 0.1...600)
        self.client = try ClientSettings(settings: settings)
        self.tls = try ServerTLS(settings: settings)
    }
}

/// How this process calls other services.
public struct ClientSettings: Sendable {
    public var timeout: Duration
    public var connectTimeout: Duration
    public var breaker: CircuitBreakerPolicy
    /// Retries of idempotent calls.
    public var retry: RetryPolicy
    /// Calls in flight to one service before the next fails at once (`CLIENT_MAX_CONCURRENT_CALLS`).
    public var maxConcurrentCalls: Int
    /// Base URLs per service name, from `SERVICES_<NAME>_URLS` (defaults: localhost and the
    /// service's default port).
    public var endpoints: [String: [String]]

    /// gRPC addresses per called service, from `SERVICES_<NAME>_GRPC_ADDRESSES` (defaults:
    /// localhost and the service's default gRPC port).
    public var rpcEndpoints: [String: [RPCAddress]]

    /// Default ports of the services, as in ARCHITECTURE.md.
    public static let defaultPorts: [String: Int] = [
        "api-gateway": 8080, "auth": 8081, "user": 8082, "product": 8083, "order": 8084, "payment": 8085, "notification": 8086,
    ]

    /// Default gRPC ports of the services other services call (the rest serve no gRPC).
    public static let defaultGRPCPorts: [String: Int] = ["auth": 9081, "user": 9082, "product": 9083, "payment": 9085]

    public init(settings: SettingsReader) throws {
        self.timeout = try settings.seconds("client.timeoutSeconds", default: .seconds(10), range: 0.05...600)
        self.connectTimeout = try settings.seconds("client.connectTimeoutSeconds", default: .seconds(2), range: 0.05...60)
        self.breaker = CircuitBreakerPolicy(
            failureRateThreshold: try settings.double("breaker.failureRate", default: 0.5, range: 0.01...1),
            minimumCalls: try settings.int("breaker.minimumCalls", default: 5, range: 1...10_000),
            window: try settings.seconds("breaker.windowSeconds", default: .seconds(10), range: 0.1...3600),
            openDuration: try settings.seconds("breaker.openSeconds", default: .seconds(5), range: 0.05...3600),
            halfOpenProbes: try settings.int("breaker.halfOpenProbes", default: 1, range: 1...100)
        )
        self.retry = try RetryPolicy(settings: settings)
        self.maxConcurrentCalls = try settings.int("client.maxConcurrentCalls", default: 100, range: 1...100_000)
        var endpoints: [String: [String]] = [:]
        for (name, port) in Self.defaultPorts where name != "api-gateway" {
            endpoints[name] = try settings.urls("services.\(name).urls", default: ["http://127.0.0.1:\(port)"])
        }
        self.endpoints = endpoints
        var rpcEndpoints: [String: [RPCAddress]] = [:]
        for (name, port) in Self.defaultGRPCPorts {
            rpcEndpoints[name] = try settings.rpcAddresses("services.\(name).grpcAddresses", default: [RPCAddress(host: "127.0.0.1", port: port)])
        }
        self.rpcEndpoints = rpcEndpoints
    }
}
