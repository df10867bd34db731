import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// A dependency that readiness checks.
public struct ReadinessCheck: Sendable {
    public let name: String
    public let probe: @Sendable (Logger) async throws -> Void

    public init(name: String, probe: @escaping @Sendable (Logger) async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}

/// `GET /health/live`, `GET /health/ready` and `GET /metrics`.
public struct HealthRoutes: Sendable {
    let checks: [ReadinessCheck]
    let registry: PrometheusCollectorRegistry
    let checkTimeout: Duration

    public init(checks: [ReadinessCheck], registry: PrometheusCollectorRegistry, checkTimeout: Duration = .seconds(1)) {
        self.checks = checks
        self.registry = registry
        self.checkTimeout = checkTimeout
    }

    struct Status: Codable, Sendable {
        var status: String
        var checks: [String: String]?
    }

    public func register(on routes: ServiceRoutes) {
        routes.get("/health/live") { _, _ in JSONResponse(Status(status: "ok")) }
        routes.get("/health/ready") { _, context in try await self.ready(logger: context.logger) }
        routes.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer()))
            )
        }
    }

    func ready(logger: Logger) async throws -> JSONResponse<Status> {
        let timeout = self.checkTimeout
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in self.checks {
                group.addTask {
                    do {
                        try await withDeadline(timeout) { try await check.probe(logger) }
                        return (check.name, "ok")
                    } catch {
                        return (check.name, "unavailable")
                    }
                }
            }
            var results: [String: String] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        let failing = results.filter { $0.value != "ok" }.keys.sorted()
        guard failing.isEmpty else {
            throw ProblemError(
                status: .serviceUnavailable,
                kind: "not-ready",
                title: "Not ready",
                detail: "Unavailable: \(failing.joined(separator: ", ")).",
                headers: [.retryAfter: "1"],
                extensions: results
            )
        }
        return JSONResponse(Status(status: "ok", checks: results.isEmpty ? nil : results))
    }
}
