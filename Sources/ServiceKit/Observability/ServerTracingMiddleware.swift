import Hummingbird

/// A server span per request, named by its route (Hummingbird's `TracingMiddleware`),
/// continuing the caller's `traceparent`. Health probes and metric scrapes are left out: they
/// arrive every few seconds and would bury the traces worth reading.
public struct ServerTracingMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    private let tracing = TracingMiddleware<ServiceRequestContext>()

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/metrics" || path.hasPrefix("/health/") {
            return try await next(request, context)
        }
        return try await self.tracing.handle(request, context: context, next: next)
    }
}
