import Contracts
import ServiceKit
import ServiceLifecycle

/// The user service: profiles and addresses, phone and addresses encrypted at rest; profiles
/// are created from auth's `user.registered` events.
struct UserService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "user", defaultPort: 8082, migrations: UserMigrations.all)

    let profiles: ProfileRepository
    let consumer: EventConsumer
    let relay: OutboxRelay
    /// Trims the service's event stream to what its consumer groups still need.
    let trimmer: StreamTrimmer
    /// Purges sent outbox rows and inbox ids older than `RETENTION_DAYS`.
    let retention: RetentionJob
    let deadLetters: DeadLetterRoutes

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        let cipher = try FieldCipher(settings: dependencies.settings, keysKey: "user.piiKeys", activeKey: "user.piiKeyId")
        self.profiles = ProfileRepository(database: database, cipher: cipher)
        self.consumer = EventConsumer(
            redis: dependencies.redis,
            database: database,
            group: Self.descriptor.name,
            consumer: dependencies.configuration.instanceID,
            streams: [RedisStreamPublisher.stream(of: ServiceName.auth)],
            handler: ProfileEvents(),
            policy: try ConsumerPolicy(settings: dependencies.settings),
            logger: dependencies.logger
        )
        self.relay = OutboxRelay(
            database: database,
            publisher: RedisStreamPublisher(redis: dependencies.redis, source: Self.descriptor.name),
            logger: dependencies.logger
        )
        self.trimmer = try StreamTrimmer(dependencies: dependencies, stream: RedisStreamPublisher.stream(of: Self.descriptor.name))
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.sentOutbox, .inbox])
        self.deadLetters = DeadLetterRoutes(redis: dependencies.redis, group: Self.descriptor.name)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        self.deadLetters.register(on: routes, prefix: "/v1/users")
        ProfileController(profiles: self.profiles).register(on: routes)
    }

    var backgroundServices: [any Service] { [self.consumer, self.relay, self.trimmer, self.retention] }
}
