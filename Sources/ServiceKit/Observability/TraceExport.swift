import Logging
import OTel
import ServiceLifecycle
import Tracing

/// How spans are sampled and where they go, from the standard `OTEL_*` variables.
///
/// Export is off unless `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
/// names a collector, so `make run` needs nothing. Without one, spans are still started (their
/// ids join the log lines of one request across services and travel on every call) but never
/// recorded unless the caller's `traceparent` asks for it (`parentbased_always_off`).
///
/// With an endpoint: OTLP over HTTP/protobuf, sampled `parentbased_traceidratio` with ratio 1
/// unless `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` say otherwise. Every other `OTEL_*`
/// variable of the OpenTelemetry specification that swift-otel reads applies too
/// (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_SCHEDULE_DELAY`, ...).
public struct TraceExport: Sendable {
    /// Whether an OTLP endpoint is configured.
    public let isExporting: Bool
    let configuration: OTel.Configuration

    public init(service: String, instance: String, environment: [String: String]) {
        let endpoint = [environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], environment["OTEL_EXPORTER_OTLP_ENDPOINT"]]
            .compactMap { $0 }
            .first { !$0.isEmpty }
        self.isExporting = endpoint != nil
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.resourceAttributes = ["service.instance.id": instance]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.propagators = [.traceContext]
        configuration.diagnosticLogger = .custom(Logger(label: "otel"))
        configuration.diagnosticLogLevel = .warning
        if self.isExporting {
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.protocol = .httpProtobuf
            configuration.traces.sampler = .parentBasedTraceIDRatio
        } else {
            configuration.traces.exporter = .none
            configuration.traces.sampler = .parentBasedAlwaysOff
        }
        self.configuration = configuration
    }

    /// The tracer and the service that processes and exports its spans (the environment's
    /// `OTEL_*` variables applied).
    public func makeTracer() throws -> (any Tracer, any Service) {
        let (tracer, service) = try OTel.makeTracingBackend(configuration: self.configuration)
        return (tracer, service)
    }

    /// Puts the active span's `traceId`, `spanId` and `traceFlags` on every log line.
    public static var logMetadataProvider: Logger.MetadataProvider {
        var keys = OTel.Configuration.LoggingMetadataProviderConfiguration.default
        keys.traceIDKey = "traceId"
        keys.spanIDKey = "spanId"
        keys.traceFlagsKey = "traceFlags"
        return OTel.makeLoggingMetadataProvider(configuration: keys)
    }
}
