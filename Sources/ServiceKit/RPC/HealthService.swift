import GRPCCore
import InternalAPI
import ServiceLifecycle

/// The standard `grpc.health.v1.Health` service: `SERVING` while the service is ready (started,
/// and its database and Redis answer), `NOT_SERVING` otherwise, for the server as a whole
/// (`""`) and for each service it serves by name; `NOT_FOUND` for any other name.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    /// The fully qualified names of the services this server serves.
    let services: Set<String>
    let isReady: @Sendable () async -> Bool

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard request.service.isEmpty || self.services.contains(request.service) else {
            throw RPCError(code: .notFound, message: "This server does not serve \(request.service).")
        }
        let ready = await self.isReady()
        return .with { $0.status = ready ? .serving : .notServing }
    }

    /// The status now, then every change (checked each second), until the caller goes away or
    /// the server shuts down.
    func watch(
        request: Grpc_Health_V1_HealthCheckRequest,
        response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        guard request.service.isEmpty || self.services.contains(request.service) else {
            try await response.write(.with { $0.status = .serviceUnknown })
            return
        }
        try? await cancelWhenGracefulShutdown {
            var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
            while !Task.isCancelled {
                let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus = await self.isReady() ? .serving : .notServing
                if status != last {
                    try await response.write(.with { $0.status = status })
                    last = status
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
