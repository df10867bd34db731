import Hummingbird
import Logging
import ServiceLifecycle

/// What the runtime needs to know about a service before starting it.
public struct ServiceDescriptor: Sendable {
    /// The version every service reports (registry, status page).
    public static let softwareVersion = "0.6.0"

    /// The service's name as in logs, metrics and discovery (`product`).
    public let name: String
    public let defaultPort: Int
    /// The port of the service's internal gRPC API, for a service others call; `nil` otherwise.
    public var defaultGRPCPort: Int? { ClientSettings.defaultGRPCPorts[self.name] }
    /// Whether the service owns a Postgres database (and so needs `DATABASE_URL`).
    public let usesDatabase: Bool
    /// Schema migrations of the service's database, in version order.
    public let migrations: [Migration]
    /// Whether clients call this service directly (the gateway): requests get a deadline of
    /// the client timeout when they bring none, and it travels downstream.
    public let isEdge: Bool

    public init(name: String, defaultPort: Int, usesDatabase: Bool = true, migrations: [Migration] = [], isEdge: Bool = false) {
        self.name = name
        self.defaultPort = defaultPort
        self.usesDatabase = usesDatabase
        self.migrations = migrations
        self.isEdge = isEdge
    }
}

/// A service plugged into ``ServiceRuntime``: its routes, start-up work and background jobs.
public protocol ServiceModule: Sendable {
    static var descriptor: ServiceDescriptor { get }

    /// Builds the module from the shared dependencies, reading its own settings; throws
    /// ``ConfigurationError`` for a bad one.
    init(dependencies: ServiceDependencies) throws

    /// Adds the service's routes.
    func registerRoutes(on routes: ServiceRoutes)

    /// The service's internal gRPC API and who may call each method (none by default).
    var rpcServices: RPCServices { get }

    /// Runs after migrations and before the server accepts requests (e.g. seeding).
    func prepare(logger: Logger) async throws

    /// Long-running jobs that live as long as the process (relays, consumers).
    var backgroundServices: [any Service] { get }

    /// Middleware that runs before any access token is verified (the gateway's per-address
    /// rate limit); `nil` for none.
    var admission: (any MiddlewareProtocol<Request, Response, ServiceRequestContext>)? { get }
}

extension ServiceModule {
    public func prepare(logger: Logger) async throws {}
    public var backgroundServices: [any Service] { [] }
    public var rpcServices: RPCServices { .none }
    public var admission: (any MiddlewareProtocol<Request, Response, ServiceRequestContext>)? { nil }
}
