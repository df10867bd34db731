import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics set-up. Call ``bootstrap(service:instance:level:)`` once, in
/// `main`, before any client is created.
public enum Observability {
    /// Installs the JSON log handler and the Prometheus metrics factory; returns the registry
    /// that `GET /metrics` renders.
    public static func bootstrap(service: String, instance: String, level: Logger.Level) -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap { label in
            JSONLogHandler(label: label, service: service, instance: instance, level: level)
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
