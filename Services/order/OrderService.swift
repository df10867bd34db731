import ServiceKit

/// The order service: the order event store, its read model and the checkout saga.
struct OrderService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "order", defaultPort: 8084, migrations: OrderMigrations.all)

    let orders: OrderReadModel

    init(dependencies: ServiceDependencies) throws {
        self.orders = OrderReadModel(database: try dependencies.requireDatabase())
    }

    func registerRoutes(on routes: ServiceRoutes) {
        OrderController(orders: self.orders).register(on: routes)
    }
}
