import HTTPTypes
import Hummingbird

/// A server span per request, named by its route (Hummingbird's `TracingMiddleware`),
/// continuing the caller's `traceparent`. Health probes and metric scrapes are left out: they
/// arrive every few seconds and would bury the traces worth reading.
///
/// A `traceparent` that is not one valid version-00 value is removed (with its `tracestate`)
/// before the tracer sees it: the request starts a trace of its own, and a client cannot make
/// the tracer log a warning per request.
public struct ServerTracingMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    private let tracing = TracingMiddleware<ServiceRequestContext>()

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/metrics" || path.hasPrefix("/health/") {
            return try await next(request, context)
        }
        let values = request.headers[values: Self.traceparent]
        guard !values.isEmpty, !(values.count == 1 && TracePropagation.isValid(traceparent: values[0])) else {
            return try await self.tracing.handle(request, context: context, next: next)
        }
        var head = request.head
        head.headerFields[values: Self.traceparent] = []
        head.headerFields[values: Self.tracestate] = []
        return try await self.tracing.handle(Request(head: head, body: request.body), context: context, next: next)
    }

    private static let traceparent = HTTPField.Name("traceparent")!
    private static let tracestate = HTTPField.Name("tracestate")!
}
