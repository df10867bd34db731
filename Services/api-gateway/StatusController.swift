import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// `GET /v1/status`: whether each service has at least one ready instance; admins also see
/// every instance with its readiness and its circuit breaker's state.
///
/// Answers come from a cache at most ``maxAge`` old (one for the plain view, one for the admin
/// view), so however often it is called, each instance gets at most one readiness probe per
/// `maxAge` from this gateway; the route is rate-limited like any other.
struct StatusController: Sendable {
    let client: ServiceClient
    let services: [String]
    /// How long one readiness probe may take.
    let probeTimeout: TimeAmount = .milliseconds(800)
    /// The oldest answer served.
    static let maxAge: Duration = .seconds(2)
    /// The last answers, keyed by whether they are the admin's detailed view.
    let recent: RecentValue<Bool, SystemStatus>

    init(client: ServiceClient, services: [String], time: TimeSource = .continuous) {
        self.client = client
        self.services = services
        self.recent = RecentValue(maxAge: Self.maxAge, time: time)
    }

    struct InstanceStatus: Codable, Sendable {
        var id: String
        var url: String
        var status: String
        /// `closed`, `open` or `half-open`; `closed` for an instance not called yet.
        var breaker: String
    }

    struct ServiceStatus: Codable, Sendable {
        var name: String
        var status: String
        /// Admins only.
        var instances: [InstanceStatus]?
    }

    struct SystemStatus: Codable, Sendable {
        var status: String
        var services: [ServiceStatus]
    }

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/status") { _, context in
            let detailed = context.identity?.isAdmin == true
            let logger = context.logger
            return JSONResponse(await self.recent.value(for: detailed) { await self.status(detailed: detailed, logger: logger) })
        }
    }

    func status(detailed: Bool, logger: Logger) async -> SystemStatus {
        let statuses = await withTaskGroup(of: (Int, ServiceStatus).self) { group in
            for (index, service) in self.services.enumerated() {
                group.addTask { (index, await self.status(of: service, detailed: detailed, logger: logger)) }
            }
            var collected: [(Int, ServiceStatus)] = []
            for await entry in group { collected.append(entry) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let all = [ServiceStatus(name: "api-gateway", status: "up")] + statuses
        return SystemStatus(status: all.allSatisfy { $0.status == "up" } ? "ok" : "degraded", services: all)
    }

    /// Up when any instance answers its readiness probe. Probes go straight to each instance,
    /// not through its breaker, so status shows recovery as soon as it happens.
    private func status(of service: String, detailed: Bool, logger: Logger) async -> ServiceStatus {
        let instances = (try? await self.client.instances(of: service)) ?? []
        let breakers = Dictionary(
            self.client.breakers.entries.filter { $0.service == service }.map { ($0.instance, $0.state) },
            uniquingKeysWith: { first, _ in first }
        )
        let probed = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, instance) in instances.enumerated() {
                group.addTask { (index, await self.isReady(instance, logger: logger)) }
            }
            var ready: [Int: Bool] = [:]
            for await (index, up) in group { ready[index] = up }
            return ready
        }
        let rows = instances.enumerated().map { index, instance in
            InstanceStatus(
                id: instance.id,
                url: instance.baseURL,
                status: probed[index] == true ? "up" : "down",
                breaker: breakers[instance.baseURL] ?? breakers[instance.id] ?? "closed"
            )
        }
        return ServiceStatus(name: service, status: rows.contains { $0.status == "up" } ? "up" : "down", instances: detailed ? rows : nil)
    }

    private func isReady(_ instance: ServiceInstance, logger: Logger) async -> Bool {
        let request = HTTPClientRequest(url: instance.baseURL + "/health/ready")
        guard let response = try? await self.client.httpClient.execute(request, timeout: self.probeTimeout, logger: logger) else { return false }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return response.status == .ok
    }
}
