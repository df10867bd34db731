import Contracts
import InternalAPI
import ServiceKit
import ServiceLifecycle

/// The user service: profiles and addresses, phone and addresses encrypted at rest; profiles
/// are created from auth's `user.registered` events, or from auth's account when one is asked
/// for before its event arrived.
struct UserService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "user", defaultPort: 8082, migrations: UserMigrations.all)

    let profiles: ProfileRepository
    let lookup: ProfileLookup
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
        let auth = try dependencies.requireInternalCalls()
        self.lookup = ProfileLookup(profiles: self.profiles, accounts: AccountDirectory(calls: auth))
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
        ProfileController(profiles: self.profiles, lookup: self.lookup).register(on: routes)
    }

    var rpcServices: RPCServices {
        RPCServices(
            services: [ProfilesRPC(profiles: self.profiles)],
            access: [Shop_User_V1_Profiles.Method.CreateProfile.descriptor: .scope(.profilesCreate)]
        )
    }

    var backgroundServices: [any Service] { [self.consumer, self.relay, self.trimmer, self.retention] }
}
