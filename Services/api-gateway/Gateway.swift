import Logging
import ServiceKit

/// The API gateway: the only entry point for clients. It routes `/v1/<area>` to the owning
/// service, never routes `/internal`, and reports the health of the whole system.
struct Gateway: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "api-gateway", defaultPort: 8080, usesDatabase: false)

    let proxy: ProxyController
    let status: StatusController

    init(dependencies: ServiceDependencies) throws {
        let client = dependencies.serviceClient
        self.proxy = ProxyController(client: client, table: .standard)
        self.status = StatusController(client: client, services: UpstreamTable.standard.services)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        self.status.register(on: routes)
        self.proxy.register(on: routes)
    }
}
