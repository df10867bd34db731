import Logging
import ServiceKit

/// The product service: the catalog, inventory and (later) stock reservations.
struct ProductService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "product", defaultPort: 8083, migrations: ProductMigrations.all)

    let catalog: CatalogRepository
    let seedDemoCatalog: Bool

    init(dependencies: ServiceDependencies) throws {
        self.catalog = CatalogRepository(database: try dependencies.requireDatabase())
        self.seedDemoCatalog = try dependencies.settings.bool("seed.demoCatalog", default: false)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        CatalogController(catalog: self.catalog).register(on: routes)
    }

    func prepare(logger: Logger) async throws {
        if self.seedDemoCatalog {
            let inserted = try await self.catalog.seedIfEmpty(DemoCatalog.products, logger: logger)
            if inserted > 0 { logger.info("demo catalog seeded", metadata: ["products": "\(inserted)"]) }
        }
    }
}
