import Foundation
import InternalAPI
import ServiceKit
import ServiceLifecycle

/// The payment service: saved cards (numbers encrypted at rest), the simulated card processor,
/// and each order's payment with its append-only ledger.
///
/// Settings: `PAYMENT_CARD_KEYS` (`kid:base64 of 32 bytes`, comma-separated) and
/// `PAYMENT_CARD_KEY_ID` (the key new cards are sealed with; default the first listed).
struct PaymentService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "payment", defaultPort: 8085, migrations: PaymentMigrations.all)

    let payments: PaymentRepository
    let methods: PaymentMethodRepository
    let processor: CardProcessor
    let now: @Sendable () -> Date
    let relay: OutboxRelay
    /// Trims the service's event stream to what its consumer groups still need.
    let trimmer: StreamTrimmer
    /// Purges sent outbox rows older than `RETENTION_DAYS`.
    let retention: RetentionJob

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        PaymentMetrics.declare()
        let cipher = try FieldCipher(settings: dependencies.settings, keysKey: "payment.cardKeys", activeKey: "payment.cardKeyId")
        self.payments = PaymentRepository(database: database)
        self.methods = PaymentMethodRepository(database: database, cipher: cipher)
        self.processor = CardProcessor()
        self.now = { Date() }
        self.relay = OutboxRelay(
            database: database,
            publisher: RedisStreamPublisher(redis: dependencies.redis, source: Self.descriptor.name),
            logger: dependencies.logger
        )
        self.trimmer = try StreamTrimmer(dependencies: dependencies, stream: RedisStreamPublisher.stream(of: Self.descriptor.name))
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.sentOutbox])
    }

    var backgroundServices: [any Service] { [self.relay, self.trimmer, self.retention] }

    func registerRoutes(on routes: ServiceRoutes) {
        PaymentMethodController(methods: self.methods, now: self.now).register(on: routes)
        PaymentController(payments: self.payments).register(on: routes)
    }

    var rpcServices: RPCServices {
        let authorizer = PaymentAuthorizer(payments: self.payments, methods: self.methods, processor: self.processor, now: self.now)
        return RPCServices(
            services: [PaymentsRPC(authorizer: authorizer, payments: self.payments, methods: self.methods, now: self.now)],
            access: [
                Shop_Payment_V1_Payments.Method.Authorize.descriptor: .scope(.paymentsAuthorize),
                Shop_Payment_V1_Payments.Method.Capture.descriptor: .scope(.paymentsCapture),
                Shop_Payment_V1_Payments.Method.Cancel.descriptor: .scope(.paymentsCancel),
                Shop_Payment_V1_Payments.Method.CheckPaymentMethod.descriptor: .scope(.paymentMethodsRead),
            ]
        )
    }
}
