import Logging
import Metrics
import ServiceLifecycle

/// Checks the service's own dependencies (Postgres, Redis) every few seconds and records
/// `service_dependency_up{dependency}`: 1 when the last check answered in time, else 0. Alerts
/// on an unreachable Postgres or Redis read it.
public struct DependencyProbe: Service {
    /// A dependency: its metric label and the check that reaches it.
    public struct Dependency: Sendable {
        public let label: String
        public let check: ReadinessCheck

        public init(label: String, check: ReadinessCheck) {
            self.label = label
            self.check = check
        }
    }

    let dependencies: [Dependency]
    let interval: Duration
    let timeout: Duration
    let logger: Logger

    public init(dependencies: [Dependency], interval: Duration = .seconds(5), timeout: Duration = .seconds(2), logger: Logger) {
        self.dependencies = dependencies
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    public func run() async throws {
        try await runUntilShutdown {
            while !Task.isCancelled {
                await self.probeOnce()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Checks every dependency once and records the outcome.
    func probeOnce() async {
        for dependency in self.dependencies {
            let up: Bool
            do {
                try await withDeadline(self.timeout) { try await dependency.check.probe(self.logger) }
                up = true
            } catch {
                up = false
            }
            Gauge(label: "service_dependency_up", dimensions: [("dependency", dependency.label)]).record(up ? 1 : 0)
        }
    }
}
