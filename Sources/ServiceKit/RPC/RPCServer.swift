import GRPCCore
import GRPCNIOTransportHTTP2
import InternalAPI
import Logging
import ServiceLifecycle

/// A module's gRPC services and who may call each method.
public struct RPCServices: Sendable {
    public var services: [any RegistrableRPCService]
    /// The access rule of every method of `services`; a method without one is denied.
    public var access: [MethodDescriptor: RPCAccess]

    public init(services: [any RegistrableRPCService], access: [MethodDescriptor: RPCAccess]) {
        self.services = services
        self.access = access
    }

    /// No gRPC services: the module only calls others.
    public static let none = RPCServices(services: [], access: [:])
}

/// The service's gRPC server (HTTP/2, plaintext like the rest of the internal network) as a
/// Service of its ServiceGroup: it serves from start (RPCs answer `UNAVAILABLE` until the
/// service is ready) and, on graceful shutdown, stops accepting and drains the RPCs in flight.
struct RPCServer: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let transport: HTTP2ServerTransport.Posix
    let logger: Logger

    init(address: RPCAddress, services: RPCServices, verifier: TokenVerifier, isReady: @escaping @Sendable () async -> Bool, logger: Logger) {
        var config = HTTP2ServerTransport.Posix.Config.defaults
        // Internal messages are small (an order has at most 50 lines); refuse anything huge.
        config.rpc.maxRequestPayloadSize = 1024 * 1024
        self.transport = HTTP2ServerTransport.Posix(
            address: address.host.contains(":") ? .ipv6(host: address.host, port: address.port) : .ipv4(host: address.host, port: address.port),
            transportSecurity: .plaintext,
            config: config
        )
        let health = HealthService(
            services: Set(services.services.flatMap { service in Self.serviceNames(of: service) }),
            isReady: isReady
        )
        InboundCallInterceptor.declareMetrics(methods: Array(services.access.keys))
        var access = services.access
        access[Grpc_Health_V1_Health.Method.Check.descriptor] = .open
        access[Grpc_Health_V1_Health.Method.Watch.descriptor] = .open
        self.server = GRPCServer(
            transport: self.transport,
            services: services.services + [health],
            interceptors: [InboundCallInterceptor(logger: logger), ServiceTokenInterceptor(verifier: verifier, access: access)]
        )
        self.logger = logger
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await self.server.serve() }
                group.addTask {
                    if let address = try? await self.transport.listeningAddress {
                        self.logger.info("grpc listening", metadata: ["grpc.address": "\(address)"])
                    }
                }
            }
        } onGracefulShutdown: {
            self.server.beginGracefulShutdown()
        }
        self.logger.info("grpc server stopped")
    }

    /// The fully qualified service names a registrable service serves.
    private static func serviceNames(of service: any RegistrableRPCService) -> [String] {
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        service.registerMethods(with: &router)
        return Set(router.methods.map(\.service.fullyQualifiedService)).sorted()
    }
}
