import Prometheus

extension ServiceRuntime {
    /// Whether the process was started as `<service> routes`.
    static var isRoutesCommand: Bool {
        CommandLine.arguments.dropFirst().first == "routes"
    }

    /// `<service> routes`: prints every route the service registers, one `METHOD pattern` a
    /// line on standard output (the same router the server would run, health and metrics
    /// included), and exits 0 without connecting to anything or serving. It reads the same
    /// settings as a start, so it fails the same way on a bad one. The contract test compares
    /// this table with the OpenAPI document.
    static func printRoutes<Module: ServiceModule>(
        module: Module,
        dependencies: ServiceDependencies,
        registry: PrometheusCollectorRegistry
    ) async -> Never {
        let routes = Self.makeRoutes(module: module, dependencies: dependencies, registry: registry)
        for route in routes.table.routes {
            print(route)
        }
        // A client dropped without a shutdown traps.
        try? await dependencies.serviceClient.httpClient.shutdown()
        Self.exit(status: 0)
    }
}
