import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// `GET /v1/status`: whether each service has at least one ready instance.
struct StatusController: Sendable {
    let client: ServiceClient
    let services: [String]
    /// How long one readiness probe may take.
    let probeTimeout: TimeAmount = .milliseconds(800)

    struct ServiceStatus: Codable, Sendable {
        var name: String
        var status: String
    }

    struct SystemStatus: Codable, Sendable {
        var status: String
        var services: [ServiceStatus]
    }

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/status") { _, context in
            JSONResponse(await self.status(logger: context.logger))
        }
    }

    func status(logger: Logger) async -> SystemStatus {
        let statuses = await withTaskGroup(of: (Int, ServiceStatus).self) { group in
            for (index, service) in self.services.enumerated() {
                group.addTask { (index, ServiceStatus(name: service, status: await self.isUp(service, logger: logger) ? "up" : "down")) }
            }
            var collected: [(Int, ServiceStatus)] = []
            for await entry in group { collected.append(entry) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let all = [ServiceStatus(name: "api-gateway", status: "up")] + statuses
        return SystemStatus(status: all.allSatisfy { $0.status == "up" } ? "ok" : "degraded", services: all)
    }

    /// Up when any instance answers its readiness probe. Probes go straight to the instance,
    /// not through its breaker, so status shows recovery as soon as it happens.
    private func isUp(_ service: String, logger: Logger) async -> Bool {
        guard let instances = try? await self.client.instances(of: service) else { return false }
        for instance in instances {
            let request = HTTPClientRequest(url: instance.baseURL + "/health/ready")
            if let response = try? await self.client.httpClient.execute(request, timeout: self.probeTimeout, logger: logger) {
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if response.status == .ok { return true }
            }
        }
        return false
    }
}
