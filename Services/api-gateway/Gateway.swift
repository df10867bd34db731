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
    let rateLimit: RateLimitMiddleware?

    init(dependencies: ServiceDependencies) throws {
        let client = dependencies.serviceClient
        self.proxy = ProxyController(client: client, table: .standard)
        self.status = StatusController(client: client, services: UpstreamTable.standard.services)
        self.openAPI = OpenAPIController(document: try OpenAPIController.loadDocument())
        if try dependencies.settings.bool("rate.limitEnabled", default: true) {
            self.rateLimit = RateLimitMiddleware(
                limiter: RateLimiter(redis: dependencies.redis, logger: dependencies.logger),
                policy: try RateLimitMiddleware.Policy(settings: dependencies.settings)
            )
        } else {
            self.rateLimit = nil
        }
    }

    func registerRoutes(on routes: ServiceRoutes) {
        // After authentication (added by ServiceRoutes), so a user's requests count as theirs.
        if let rateLimit { routes.router.add(middleware: rateLimit) }
        self.status.register(on: routes)
        self.openAPI.register(on: routes)
        self.proxy.register(on: routes)
    }
}
