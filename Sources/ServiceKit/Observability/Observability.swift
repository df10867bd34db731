import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Tracing

/// Process-wide logging, metrics and tracing set-up. Call
/// ``bootstrap(service:instance:level:environment:)`` once, in `main`, before any client is
/// created.
public enum Observability {
    /// What ``bootstrap(service:instance:level:environment:)`` installed.
    public struct Backends {
        /// What `GET /metrics` renders.
        public let registry: PrometheusCollectorRegistry
        /// Exports finished spans; runs in the service group, first started and last stopped, so
        /// the spans of a graceful shutdown still leave.
        public let tracing: any Service
    }

    /// Installs the JSON log handler (every line carries the active trace and span id), the
    /// Prometheus metrics factory and the OpenTelemetry tracer (see ``TraceExport``).
    public static func bootstrap(
        service: String,
        instance: String,
        level: Logger.Level,
        environment: [String: String]
    ) throws -> Backends {
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = JSONLogHandler(label: label, service: service, instance: instance, level: level)
                handler.metadataProvider = provider
                return handler
            },
            metadataProvider: TraceExport.logMetadataProvider
        )
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(MetricCatalog.factory(registry: registry))
        let export = TraceExport(service: service, instance: instance, environment: environment)
        let (tracer, tracing) = try export.makeTracer()
        InstrumentationSystem.bootstrap(tracer)
        return Backends(registry: registry, tracing: tracing)
    }
}
