import ServiceKit
import Tracing

/// The tracer a service has without an exporter, installed once for the whole test process
/// (the tracing system can be bootstrapped only once): spans get ids and continue a caller's
/// `traceparent`, as in a running service.
enum TestTracing {
    static let installed: Bool = {
        guard let (tracer, _) = try? TraceExport(service: "test", instance: "test-1", environment: [:]).makeTracer() else { return false }
        InstrumentationSystem.bootstrap(tracer)
        return true
    }()
}
