import InternalAPI
import Logging
import ServiceKit
import ServiceLifecycle

/// The product service: the catalog, inventory and stock reservations for orders.
struct ProductService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "product", defaultPort: 8083, migrations: ProductMigrations.all)

    let catalog: CatalogRepository
    let reservations: ReservationRepository
    let reservationSettings: ReservationSettings
    let expiry: ReservationExpiry
    let relay: OutboxRelay
    /// Trims the service's event stream to what its consumer groups still need.
    let trimmer: StreamTrimmer
    /// Purges sent outbox rows older than `RETENTION_DAYS`.
    let retention: RetentionJob
    let seedDemoCatalog: Bool

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        ReservationMetrics.declare()
        self.catalog = CatalogRepository(database: database)
        self.reservations = ReservationRepository(database: database)
        self.reservationSettings = try ReservationSettings(settings: dependencies.settings)
        self.expiry = ReservationExpiry(
            reservations: self.reservations,
            interval: self.reservationSettings.sweepInterval,
            logger: dependencies.logger
        )
        self.seedDemoCatalog = try dependencies.settings.bool("seed.demoCatalog", default: false)
        self.relay = OutboxRelay(
            database: database,
            publisher: RedisStreamPublisher(redis: dependencies.redis, source: Self.descriptor.name),
            logger: dependencies.logger
        )
        self.trimmer = try StreamTrimmer(dependencies: dependencies, stream: RedisStreamPublisher.stream(of: Self.descriptor.name))
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.sentOutbox])
    }

    func registerRoutes(on routes: ServiceRoutes) {
        CatalogController(catalog: self.catalog).register(on: routes)
        CatalogAdminController(catalog: self.catalog).register(on: routes)
    }

    var rpcServices: RPCServices {
        RPCServices(
            services: [
                ProductLookupRPC(catalog: self.catalog),
                ReservationRPC(reservations: self.reservations, settings: self.reservationSettings),
            ],
            access: [
                Shop_Catalog_V1_ProductLookup.Method.LookupProducts.descriptor: .scope(.productsLookup),
                Shop_Inventory_V1_Reservations.Method.Reserve.descriptor: .scope(.reservationsWrite),
                Shop_Inventory_V1_Reservations.Method.Commit.descriptor: .scope(.reservationsWrite),
                Shop_Inventory_V1_Reservations.Method.Release.descriptor: .scope(.reservationsWrite),
            ]
        )
    }

    func prepare(logger: Logger) async throws {
        if self.seedDemoCatalog {
            let inserted = try await self.catalog.seedIfEmpty(DemoCatalog.products, logger: logger)
            if inserted > 0 { logger.info("demo catalog seeded", metadata: ["products": "\(inserted)"]) }
        }
    }

    var backgroundServices: [any Service] { [self.expiry, self.relay, self.trimmer, self.retention] }
}
