import HTTPTypes
import Hummingbird

/// The router of a service with ServiceKit's middleware installed, recording every route so an
/// unmatched method answers 405 instead of 404.
public struct ServiceRoutes {
    public let router: Router<ServiceRequestContext>
    /// Every route added so far.
    public let table: RouteTable

    /// A router with the standard middleware chain: request id → security headers → access log
    /// and metrics → problem+json → body limit → NUL in the query → deadline → authentication
    /// (when a verifier is given).
    /// `deadlineBudget` gives requests that bring no deadline one (the gateway's edge);
    /// `servesHTTPS` adds `Strict-Transport-Security` to every answer.
    public init(maxBodyBytes: Int, verifier: TokenVerifier? = nil, deadlineBudget: Duration? = nil, servesHTTPS: Bool = false) {
        self.router = Router(context: ServiceRequestContext.self)
        self.table = RouteTable()
        self.router.add(middleware: RequestIDMiddleware())
        self.router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: servesHTTPS))
        self.router.add(middleware: AccessLogMiddleware())
        self.router.add(middleware: ProblemMiddleware(routes: self.table))
        self.router.add(middleware: BodyLimitMiddleware(limit: maxBodyBytes))
        self.router.add(middleware: NulCharacterMiddleware())
        self.router.add(middleware: RequestDeadline(defaultBudget: deadlineBudget))
        if let verifier { self.router.add(middleware: AuthenticationMiddleware(verifier: verifier)) }
    }

    /// Adds a route. Routes under `/internal/` answer only callers with a service token unless
    /// `serviceTokenRequired` says otherwise (auth's token endpoint, which takes client credentials).
    public func on(
        _ method: HTTPRequest.Method,
        _ path: String,
        serviceTokenRequired: Bool? = nil,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator
    ) {
        self.table.register(method, path)
        if serviceTokenRequired ?? Self.isInternal(path) {
            self.router.on(RouterPath(path), method: method) { request, context in
                _ = try context.requireService()
                return try await handler(request, context)
            }
        } else {
            self.router.on(RouterPath(path), method: method, use: handler)
        }
    }

    static func isInternal(_ path: String) -> Bool {
        path == "/internal" || path.hasPrefix("/internal/")
    }

    public func get(_ path: String, use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator) {
        self.on(.get, path, use: handler)
    }

    public func post(_ path: String, use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator) {
        self.on(.post, path, use: handler)
    }

    public func put(_ path: String, use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator) {
        self.on(.put, path, use: handler)
    }

    public func patch(_ path: String, use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator) {
        self.on(.patch, path, use: handler)
    }

    public func delete(_ path: String, use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator) {
        self.on(.delete, path, use: handler)
    }
}
