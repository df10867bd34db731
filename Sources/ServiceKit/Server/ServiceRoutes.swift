import Contracts
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

    /// Adds a route. A route under `/internal` must say who may call it (`access`): a service
    /// token for this service that carries a scope, or the route's own credentials check
    /// (auth's token endpoint). Registering one without is a programming error that stops the
    /// process at start-up, before it serves anything.
    public func on(
        _ method: HTTPRequest.Method,
        _ path: String,
        access: InternalAccess? = nil,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator
    ) {
        switch access {
        case .scope(let scope)?:
            self.table.register(method, path)
            self.router.on(RouterPath(path), method: method) { request, context in
                _ = try context.requireScope(scope)
                return try await handler(request, context)
            }
        case .ownCredentials?:
            self.table.register(method, path)
            self.router.on(RouterPath(path), method: method, use: handler)
        case nil:
            precondition(!Self.isInternal(path), "\(method) \(path): an /internal route must declare the scope it requires")
            self.table.register(method, path)
            self.router.on(RouterPath(path), method: method, use: handler)
        }
    }

    static func isInternal(_ path: String) -> Bool {
        let trimmed = path.drop { $0 == "/" }
        return trimmed == "internal" || trimmed.hasPrefix("internal/")
    }

    /// Adds an `/internal` route that answers only a service token for this service carrying `scope`.
    public func get(
        _ path: String,
        scope: ServiceScope,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator
    ) {
        self.on(.get, path, access: .scope(scope), use: handler)
    }

    /// Adds an `/internal` route that answers only a service token for this service carrying `scope`.
    public func post(
        _ path: String,
        scope: ServiceScope,
        use handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> some ResponseGenerator
    ) {
        self.on(.post, path, access: .scope(scope), use: handler)
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

/// Who may call an `/internal` route.
public enum InternalAccess: Sendable, Equatable {
    /// A service token addressed to this service that carries the scope.
    case scope(ServiceScope)
    /// No service token: the route authenticates its caller with credentials of its own
    /// (auth's client-credentials endpoint, which hands out the tokens).
    case ownCredentials
}
