import ServiceKit

/// The payment service: payment methods (card data encrypted) and the payments ledger.
struct PaymentService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "payment", defaultPort: 8085, migrations: PaymentMigrations.all)

    let payments: PaymentRepository

    init(dependencies: ServiceDependencies) throws {
        self.payments = PaymentRepository(database: try dependencies.requireDatabase())
    }

    func registerRoutes(on routes: ServiceRoutes) {
        PaymentController(payments: self.payments).register(on: routes)
    }
}
