import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// The clients a service uses, created once per process.
public struct ServiceDependencies: Sendable {
    public let configuration: ServiceConfiguration
    public let settings: SettingsReader
    public let logger: Logger
    /// The service's database, if it has one.
    public let database: Database?
    public let redis: RedisClient
    /// The client for calling other services, if the service calls any.
    public let serviceClient: ServiceClient?

    public init(descriptor: ServiceDescriptor, configuration: ServiceConfiguration, settings: SettingsReader, logger: Logger) {
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        self.database = configuration.database.map { Database(settings: $0, logger: logger) }
        self.redis = RedisClient(configuration: configuration.redis, logger: logger)
        if descriptor.callsServices {
            let httpClient = ServiceClient.makeHTTPClient(settings: configuration.client, logger: logger)
            self.serviceClient = ServiceClient(
                httpClient: httpClient,
                discovery: StaticDiscovery(endpoints: configuration.client.endpoints),
                settings: configuration.client,
                breakers: BreakerRegistry(policy: configuration.client.breaker, logger: logger)
            )
        } else {
            self.serviceClient = nil
        }
    }

    /// The database, or a configuration error if the service was declared without one.
    public func requireDatabase() throws -> Database {
        guard let database else { throw ConfigurationError(setting: "DATABASE_URL", problem: "is required by this service") }
        return database
    }

    /// The service client, or a configuration error if the service does not call others.
    public func requireServiceClient() throws -> ServiceClient {
        guard let serviceClient else {
            throw ConfigurationError(setting: "SERVICES_*", problem: "this service was declared without a service client")
        }
        return serviceClient
    }

    /// Clients that must run for as long as the process serves, in start order (they stop in
    /// reverse, after the server has drained).
    var lifecycleServices: [any Service] {
        var services: [any Service] = []
        if let database { services.append(database.client) }
        services.append(self.redis)
        if let serviceClient { services.append(HTTPClientService(client: serviceClient.httpClient)) }
        return services
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
