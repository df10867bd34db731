import Foundation
import ServiceKit
import ServiceLifecycle

/// The order service: the order event store, its read model and the checkout saga.
struct OrderService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "order", defaultPort: 8084, migrations: OrderMigrations.all)

    let store: OrderStore
    let readModel: OrderReadModel
    let placement: OrderPlacementService
    let runner: SagaRunner
    /// Wakes a saga worker when this process places or cancels an order.
    let sagaWake: WakeSignal
    let relay: OutboxRelay
    /// Trims the service's event stream to what its consumer groups still need.
    let trimmer: StreamTrimmer
    /// Purges sent outbox rows and idempotency keys older than `RETENTION_DAYS`.
    let retention: RetentionJob

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        let settings = try SagaSettings(settings: dependencies.settings)
        let calls = try dependencies.requireInternalCalls()
        self.store = OrderStore(database: database)
        self.readModel = OrderReadModel(database: database)
        self.sagaWake = WakeSignal()
        self.placement = OrderPlacementService(store: self.store, calls: calls, deadline: settings.deadline, sagaWake: self.sagaWake)
        self.runner = SagaRunner(
            store: self.store,
            effects: SagaEffects(calls: calls),
            settings: settings,
            name: "\(ProcessInfo.processInfo.hostName):\(dependencies.configuration.port)",
            wake: self.sagaWake,
            logger: dependencies.logger
        )
        self.relay = OutboxRelay(
            database: database,
            publisher: RedisStreamPublisher(redis: dependencies.redis, source: Self.descriptor.name),
            logger: dependencies.logger
        )
        self.trimmer = try StreamTrimmer(dependencies: dependencies, stream: RedisStreamPublisher.stream(of: Self.descriptor.name))
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.sentOutbox, Self.oldIdempotencyKeys])
    }

    func registerRoutes(on routes: ServiceRoutes) {
        OrderController(store: self.store, readModel: self.readModel, placement: self.placement, sagaWake: self.sagaWake).register(on: routes)
    }

    var backgroundServices: [any Service] { [self.runner, self.relay, self.trimmer, self.retention] }

    /// `Idempotency-Key`s of `POST /v1/orders` older than the retention age: a key is honoured
    /// that long, then it may be used again for a new order.
    static let oldIdempotencyKeys = RetentionRule(table: "idempotency_keys", condition: "created_at < $1")
}
