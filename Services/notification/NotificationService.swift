import Contracts
import Logging
import ServiceKit
import ServiceLifecycle

/// The notification service: each user's notifications, created from auth's, order's and
/// payment's events, and their delivery to the user's webhooks.
///
/// Settings of its own: `WEBHOOK_*` (``WebhookSettings``), and `NOTIFICATION_WEBHOOK_KEYS`
/// (`kid:base64 of 32 bytes`, comma-separated) with `NOTIFICATION_WEBHOOK_KEY_ID` (the key new
/// webhook secrets are sealed with; default the first listed), as payment's card keys.
struct NotificationService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "notification", defaultPort: 8086, migrations: NotificationMigrations.all)

    let notifications: NotificationRepository
    let webhooks: WebhookRepository
    let webhookPolicy: WebhookURLPolicy
    let webhookDestinations: WebhookDestinationResolver
    /// Seals webhook secrets still stored in plain text, at start-up.
    let secretSealer: WebhookSecretSealer
    let consumer: EventConsumer
    let deliveryWorker: WebhookDeliveryWorker
    let deadLetters: DeadLetterRoutes
    /// Purges inbox ids and finished webhook deliveries older than `RETENTION_DAYS`.
    let retention: RetentionJob

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        let settings = try WebhookSettings(settings: dependencies.settings)
        let secrets = try WebhookSecretCipher(settings: dependencies.settings)
        let deliveries = WebhookDeliveryRepository(database: database)
        self.notifications = NotificationRepository(database: database)
        self.webhooks = WebhookRepository(database: database, secrets: secrets)
        self.webhookPolicy = WebhookURLPolicy(allowPrivateHosts: settings.allowPrivateHosts)
        self.webhookDestinations = WebhookDestinationResolver(
            resolver: SystemHostResolver(),
            allowPrivateHosts: settings.allowPrivateHosts,
            timeout: settings.connectTimeout
        )
        self.secretSealer = WebhookSecretSealer(database: database, secrets: secrets)
        self.consumer = EventConsumer(
            redis: dependencies.redis,
            database: database,
            group: Self.descriptor.name,
            consumer: dependencies.configuration.instanceID,
            streams: [ServiceName.auth, ServiceName.order, ServiceName.payment].map(RedisStreamPublisher.stream(of:)),
            handler: NotificationEvents(notifications: self.notifications, deliveries: deliveries),
            policy: try ConsumerPolicy(settings: dependencies.settings),
            logger: dependencies.logger
        )
        self.deliveryWorker = WebhookDeliveryWorker(
            deliveries: deliveries,
            destinations: self.webhookDestinations,
            clients: WebhookHTTPClients(connectTimeout: settings.connectTimeout, readTimeout: settings.timeout, logger: dependencies.logger),
            secrets: secrets,
            settings: settings,
            logger: dependencies.logger
        )
        self.deadLetters = DeadLetterRoutes(redis: dependencies.redis, group: Self.descriptor.name)
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.inbox, Self.finishedDeliveries])
        if settings.allowPrivateHosts {
            dependencies.logger.warning("webhooks may point to private hosts", metadata: ["setting": "WEBHOOK_ALLOW_PRIVATE_HOSTS"])
        }
    }

    func prepare(logger: Logger) async throws {
        try await self.secretSealer.sealPlaintextSecrets(logger: logger)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        self.deadLetters.register(on: routes, prefix: "/v1/notifications")
        WebhookController(webhooks: self.webhooks, policy: self.webhookPolicy, destinations: self.webhookDestinations).register(on: routes)
        NotificationController(notifications: self.notifications).register(on: routes)
    }

    var backgroundServices: [any Service] { [self.consumer, self.deliveryWorker, self.retention] }

    /// Webhook deliveries that ended (delivered or dead) more than the retention age ago.
    static let finishedDeliveries = RetentionRule(table: "webhook_deliveries", condition: "status <> 'pending' AND completed_at < $1")
}
