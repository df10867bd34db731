import Hummingbird
import Logging
import ServiceKit

/// The API gateway: the only entry point for clients. It routes `/v1/<area>` to the owning
/// service, never routes `/internal`, limits each client's rate, and reports the health of
/// the whole system.
struct Gateway: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "api-gateway", defaultPort: 8080, usesDatabase: false, isEdge: true)

    let proxy: ProxyController
    let status: StatusController
    let openAPI: OpenAPIController
    /// Per address, before token verification (``ServiceModule/admission``).
    let addressLimit: RateLimitMiddleware?
    /// Per route class, after authentication.
    let routeLimit: RateLimitMiddleware?

    init(dependencies: ServiceDependencies) throws {
        let client = dependencies.serviceClient
        MetricCatalog.declareCounter(
            "gateway_rate_limit_refusals_total",
            dimension: "class",
            values: [RouteClass.address, .auth, .user, .anonymous].map(\.rawValue)
        )
        if dependencies.serviceTokens == nil {
            dependencies.logger.warning(
                "SERVICE_CLIENT_SECRET is not set: the gateway cannot vouch for client addresses, so services take it as every client"
            )
        }
        self.proxy = ProxyController(client: client, table: .standard, credential: GatewayCredential(tokens: dependencies.serviceTokens))
        self.status = StatusController(client: client, services: UpstreamTable.standard.services)
        self.openAPI = OpenAPIController(document: try OpenAPIController.loadDocument())
        if try dependencies.settings.bool("rate.limitEnabled", default: true) {
            let limiter = RateLimiter(redis: dependencies.redis, logger: dependencies.logger)
            let policy = try RateLimitMiddleware.Policy(settings: dependencies.settings)
            self.addressLimit = RateLimitMiddleware(limiter: limiter, policy: policy, stage: .admission)
            self.routeLimit = RateLimitMiddleware(limiter: limiter, policy: policy, stage: .route)
        } else {
            self.addressLimit = nil
            self.routeLimit = nil
        }
    }

    var admission: (any MiddlewareProtocol<Request, Response, ServiceRequestContext>)? { self.addressLimit }

    func registerRoutes(on routes: ServiceRoutes) {
        // After authentication (added by ServiceRoutes), so a user's requests count as theirs.
        if let routeLimit { routes.router.add(middleware: routeLimit) }
        self.status.register(on: routes)
        self.openAPI.register(on: routes)
        self.proxy.register(on: routes)
    }
}
