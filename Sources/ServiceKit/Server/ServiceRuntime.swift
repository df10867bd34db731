import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A start-up step that failed; printed as one line before the process exits.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Starts a service: configuration, logging and metrics, clients, migrations, the HTTP server,
/// and a graceful shutdown on SIGTERM/SIGINT.
public enum ServiceRuntime {
    /// Exit statuses, from sysexits(3).
    enum ExitCode {
        static let configuration: Int32 = 78
        static let unavailable: Int32 = 69
        static let failure: Int32 = 1
    }

    /// The whole life of a service process; never returns.
    public static func main<Module: ServiceModule>(_ module: Module.Type) async -> Never {
        // Swift Concurrency runs on NIO's event loops: an `await` on the network or the database
        // resumes on the loop that completed it instead of hopping to a thread of another pool.
        // TASKS_ON_EVENT_LOOPS=false keeps Swift's own pool (read here, before any task runs).
        if getenv("TASKS_ON_EVENT_LOOPS").map({ String(cString: $0) }) != "false" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let descriptor = Module.descriptor
        let settings = SettingsReader()
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(
                service: descriptor.name,
                defaultPort: descriptor.defaultPort,
                defaultGRPCPort: descriptor.defaultGRPCPort,
                usesDatabase: descriptor.usesDatabase,
                settings: settings
            )
        } catch {
            Self.exit(descriptor.name, "\(error)", status: ExitCode.configuration)
        }
        let backends: Observability.Backends
        do {
            backends = try Observability.bootstrap(
                service: descriptor.name,
                instance: configuration.instanceID,
                level: configuration.logLevel,
                environment: ProcessInfo.processInfo.environment
            )
        } catch {
            Self.exit(descriptor.name, "tracing: \(error)", status: ExitCode.configuration)
        }
        let registry = backends.registry
        // Background loops wait until migrations and the module's preparation are done.
        StartupGate.shared.close()
        let logger = Logger(label: descriptor.name)
        do {
            let dependencies = try ServiceDependencies(descriptor: descriptor, configuration: configuration, settings: settings, logger: logger)
            let module: Module
            do {
                module = try Module(dependencies: dependencies)
            } catch {
                // The HTTP client exists already and must be shut down before the process ends.
                try? await dependencies.serviceClient.httpClient.shutdown()
                throw error
            }
            if Self.isRoutesCommand {
                await Self.printRoutes(module: module, dependencies: dependencies, registry: registry)
            }
            let application = try Self.buildApplication(module: module, dependencies: dependencies, registry: registry)
            let rpcServer = Self.rpcServer(module: module, dependencies: dependencies)
            var groupConfiguration = ServiceGroupConfiguration(
                // The registry heartbeat comes last, so it is the first to stop: the instance
                // leaves the registry before its servers stop accepting; the servers drain
                // before the clients and the database close. Span export comes first, so it is
                // the last to stop and the shutdown's spans still leave.
                services: ([backends.tracing] + dependencies.lifecycleServices + module.backgroundServices + [application]
                    + (rpcServer.map { [$0] } ?? [])
                    + (dependencies.registryHeartbeat(service: descriptor.name).map { [$0] } ?? [])).map {
                        ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                    },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
            groupConfiguration.maximumCancellationDuration = .seconds(3)
            try await ServiceGroup(configuration: groupConfiguration).run()
            logger.info("stopped")
            Self.exit(status: 0)
        } catch let error as ConfigurationError {
            Self.exit(descriptor.name, "\(error)", status: ExitCode.configuration)
        } catch let error as StartupError {
            Self.exit(descriptor.name, "start-up failed: \(error)", status: ExitCode.unavailable)
        } catch let error as MigrationError {
            Self.exit(descriptor.name, "start-up failed: \(error)", status: ExitCode.failure)
        } catch {
            logger.error("service failed", metadata: ["error": "\(error)"])
            Self.exit(descriptor.name, "failed: \(Self.unwrap(error))", status: ExitCode.failure)
        }
    }

    /// The HTTP application of a module, with health, metrics and the start-up sequence
    /// (dependencies reachable, migrations, the module's own preparation) before it serves.
    /// With ``ServiceConfiguration/tls`` it serves HTTPS (TLS 1.2+) instead of plain HTTP.
    public static func buildApplication<Module: ServiceModule>(
        module: Module,
        dependencies: ServiceDependencies,
        registry: PrometheusCollectorRegistry
    ) throws -> some ApplicationProtocol {
        let configuration = dependencies.configuration
        let routes = Self.makeRoutes(module: module, dependencies: dependencies, registry: registry)
        var application = Application(
            router: routes.router,
            server: try Self.serverBuilder(tls: configuration.tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            logger: dependencies.logger
        )
        let migrations = Module.descriptor.migrations
        application.beforeServerStarts {
            try await Self.waitForDependencies(dependencies)
            if let database = dependencies.database, !migrations.isEmpty {
                try await MigrationRunner(migrations: migrations).run(on: database.client, logger: dependencies.logger)
            }
            try await module.prepare(logger: dependencies.logger)
            StartupGate.shared.open()
            dependencies.logger.info(
                "service ready",
                metadata: [
                    "http.host": "\(configuration.host)", "http.port": "\(configuration.port)",
                    "http.scheme": "\(configuration.tls == nil ? "http" : "https")",
                    "grpc.port": "\(configuration.grpc.map { String($0.port) } ?? "none")",
                ]
            )
        }
        return application
    }

    /// The module's gRPC server, when it serves any gRPC service.
    static func rpcServer<Module: ServiceModule>(module: Module, dependencies: ServiceDependencies) -> (any Service)? {
        let services = module.rpcServices
        guard let address = dependencies.configuration.grpc, !services.services.isEmpty else { return nil }
        return RPCServer(
            address: address,
            services: services,
            verifier: dependencies.tokenVerifier,
            isReady: dependencies.isReady,
            logger: dependencies.logger
        )
    }

    /// HTTP/1.1, inside TLS when the service has a certificate.
    static func serverBuilder(tls: ServerTLS?) throws -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        return try .tls(.http1(), tlsConfiguration: tls.configuration)
    }

    /// The router of a module: health and metrics, then the module's own routes.
    static func makeRoutes<Module: ServiceModule>(
        module: Module,
        dependencies: ServiceDependencies,
        registry: PrometheusCollectorRegistry
    ) -> ServiceRoutes {
        let configuration = dependencies.configuration
        let isEdge = Module.descriptor.isEdge
        let routes = ServiceRoutes(
            maxBodyBytes: configuration.maxBodyBytes,
            verifier: dependencies.tokenVerifier,
            deadlineBudget: isEdge ? configuration.client.timeout : nil,
            // Clients reach the edge, perhaps through proxies; everything else is reached
            // through the gateway, which vouches for the address it derived.
            clientAddress: isEdge
                ? .forwardedFor(dependencies.trustedProxies) : .gateway(GatewayTokenCheck(verifier: dependencies.tokenVerifier)),
            admission: module.admission,
            caseInsensitive: isEdge,
            servesHTTPS: configuration.tls != nil
        )
        HealthRoutes(checks: dependencies.readinessChecks, registry: registry).register(on: routes)
        module.registerRoutes(on: routes)
        return routes
    }

    /// Waits until Postgres and Redis answer, retrying within the start-up timeout, and fails
    /// with a message that names the unreachable one.
    static func waitForDependencies(_ dependencies: ServiceDependencies) async throws {
        let deadline = ContinuousClock.now + dependencies.configuration.startupTimeout
        let logger = dependencies.logger
        if let database = dependencies.database {
            // A connection of its own first: the pool would hide a refused TLS handshake or password behind a timeout.
            try await Self.retry(until: deadline, what: "Postgres at \(database.location) (DATABASE_URL)", logger: logger) { remaining in
                try await database.probe(timeout: remaining, logger: logger)
                try await database.ping(timeout: remaining, logger: logger)
            }
        }
        let redis = dependencies.redis
        let redisConfiguration = dependencies.configuration.redis
        try await Self.retry(until: deadline, what: "Redis at \(redisConfiguration.host):\(redisConfiguration.port) (REDIS_URL)", logger: logger) {
            remaining in
            try await withDeadline(remaining) { try await redis.ping() }
        }
    }

    private static func retry(
        until deadline: ContinuousClock.Instant,
        what: String,
        logger: Logger,
        _ attempt: (Duration) async throws -> Void
    ) async throws {
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            let remaining = min(deadline - ContinuousClock.now, .seconds(2))
            do {
                try await attempt(remaining)
                return
            } catch {
                // The last attempt often only ran out of the time that was left: an earlier
                // cause (a refused TLS handshake, a wrong password) says more than that.
                if lastError == nil || !(error is DeadlineExceeded) {
                    lastError = error
                }
                logger.info("waiting for dependency", metadata: ["dependency": "\(what)", "error": "\(Self.unwrap(error))"])
                try await Task.sleep(for: min(.milliseconds(250), max(.zero, deadline - ContinuousClock.now)))
            }
        }
        throw StartupError("cannot reach \(what): \(lastError.map { "\(Self.unwrap($0))" } ?? "timed out")")
    }

    /// ServiceLifecycle wraps a failing service's error; show the cause.
    static func unwrap(_ error: any Error) -> String {
        if let error = error as? ServiceGroupError { return "\(error)" }
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    private static func exit(_ service: String, _ message: String, status: Int32) -> Never {
        var line = "\(service): \(message)\n"
        line.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
        Self.exit(status: status)
    }

    static func exit(status: Int32) -> Never {
        // The last lines (why it stopped) are written before the process ends.
        LogSink.standardOutputWriter.flush()
        Glibc.exit(status)
    }
}
