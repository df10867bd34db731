import HTTPTypes
import Hummingbird

/// The router of a service with ServiceKit's middleware installed, recording every route so an
/// unmatched method answers 405 instead of 404.
public struct ServiceRoutes {
    public let router: Router<ServiceRequestContext>
    /// Every route added so far.
    public let table: RouteTable

    /// A router with the standard middleware chain: request id → server span → security headers → client
    /// address → access log and metrics → problem+json → admission (when given) → body limit →
    /// NUL in the query → deadline → authentication (when a verifier is given).
    /// `deadlineBudget` gives requests that bring no deadline one (the gateway's edge).
    /// `admission` runs before any token is verified (the gateway's per-address rate limit), so
    /// requests with garbage or forged tokens pass through it too. `caseInsensitive` matches
    /// paths regardless of letter case (the edge: its route classes must not depend on case).
    /// `servesHTTPS` adds `Strict-Transport-Security` to every answer.
    public init(
        maxBodyBytes: Int,
        verifier: TokenVerifier? = nil,
        deadlineBudget: Duration? = nil,
        clientAddress: ClientAddressSource = .socketPeer,
        admission: (any MiddlewareProtocol<Request, Response, ServiceRequestContext>)? = nil,
        caseInsensitive: Bool = false,
        servesHTTPS: Bool = false
    ) {
        self.router = Router(context: ServiceRequestContext.self, options: caseInsensitive ? .caseInsensitive : [])
        self.table = RouteTable(caseInsensitive: caseInsensitive)
        self.router.add(middleware: RequestIDMiddleware())
        self.router.add(middleware: ServerTracingMiddleware())
        self.router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: servesHTTPS))
        self.router.add(middleware: ClientAddressMiddleware(source: clientAddress))
        self.router.add(middleware: AccessLogMiddleware())
        self.router.add(middleware: ProblemMiddleware(routes: self.table))
        if let admission { self.router.add(middleware: admission) }
        self.router.add(middleware: BodyLimitMiddleware(limit: maxBodyBytes))
        self.router.add(middleware: NulCharacterMiddleware())
        self.router.add(middleware: RequestDeadline(defaultBudget: deadlineBudget))
        if let verifier { self.router.add(middleware: AuthenticationMiddleware(verifier: verifier)) }
    }

    /// Adds a route. Nothing is served over HTTP under `/internal`: what services ask of each
    /// other is the internal gRPC API (with a service token and a scope per method), so such a
    /// route is a programming error that stops the process at start-up, before it serves.
    public func on(
        _ method: HTTPRequest.Method,
        _ path: String,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator
    ) {
        precondition(!Self.isInternal(path), "\(method) \(path): internal operations are gRPC methods, not /internal routes")
        self.table.register(method, path)
        self.router.on(RouterPath(path), method: method, use: handler)
    }

    static func isInternal(_ path: String) -> Bool {
        let trimmed = path.drop { $0 == "/" }
        return trimmed == "internal" || trimmed.hasPrefix("internal/")
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
