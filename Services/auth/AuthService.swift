import Contracts
import InternalAPI
import Logging
import ServiceKit
import ServiceLifecycle

/// The auth service: accounts, passwords, access and refresh tokens, signing keys, and service
/// tokens for internal callers.
struct AuthService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "auth", defaultPort: 8081, migrations: AuthMigrations.all)

    let accounts: AccountRepository
    let hasher: PasswordHasher
    let admin: AdminAccount
    let keyStore: SigningKeyStore
    let keyRing: SigningKeyRing
    let issuer: TokenIssuer
    let refreshTokens: RefreshTokenStore
    let throttle: LoginThrottle
    let registrationLimit: ClientAttemptLimit
    let refreshLimit: ClientAttemptLimit
    let serviceClients: ServiceClientRegistry
    let relay: OutboxRelay
    /// Trims the service's event stream to what its consumer groups still need.
    let trimmer: StreamTrimmer
    /// Purges sent outbox rows and expired refresh tokens older than `RETENTION_DAYS`.
    let retention: RetentionJob

    init(dependencies: ServiceDependencies) throws {
        let database = try dependencies.requireDatabase()
        LoginMetrics.declare()
        let settings = dependencies.settings
        let policy = dependencies.tokenPolicy
        self.accounts = AccountRepository(database: database)
        self.hasher = PasswordHasher()
        self.admin = try AdminAccount(settings: settings)
        self.keyStore = SigningKeyStore(database: database)
        self.keyRing = SigningKeyRing(
            store: self.keyStore,
            configured: try SigningKeyRing.configuredKey(settings: settings),
            retirementGrace: policy.accessTokenLifetime
        )
        self.issuer = TokenIssuer(keys: self.keyRing, policy: policy)
        self.refreshTokens = RefreshTokenStore(
            database: database,
            lifetime: try settings.seconds("auth.refreshTokenSeconds", default: .seconds(30 * 86_400), range: 60...(365 * 86_400))
        )
        self.throttle = LoginThrottle(redis: dependencies.redis, settings: try LoginThrottleSettings(settings: settings))
        self.registrationLimit = try .registrations(redis: dependencies.redis, settings: settings)
        self.refreshLimit = try .refreshFailures(redis: dependencies.redis, settings: settings)
        self.serviceClients = try ServiceClientRegistry(settings: settings)

        // Auth verifies tokens with its own keys.
        dependencies.useKeySet(StoredKeySetSource(store: self.keyStore))
        self.relay = OutboxRelay(
            database: database,
            publisher: RedisStreamPublisher(redis: dependencies.redis, source: Self.descriptor.name),
            logger: dependencies.logger
        )
        self.trimmer = try StreamTrimmer(dependencies: dependencies, stream: RedisStreamPublisher.stream(of: Self.descriptor.name))
        self.retention = try RetentionJob(dependencies: dependencies, database: database, rules: [.sentOutbox, Self.expiredRefreshTokens])
    }

    func registerRoutes(on routes: ServiceRoutes) {
        RegistrationController(accounts: self.accounts, hasher: self.hasher, limit: self.registrationLimit).register(on: routes)
        SessionController(
            accounts: self.accounts,
            hasher: self.hasher,
            issuer: self.issuer,
            refreshTokens: self.refreshTokens,
            throttle: self.throttle,
            refreshLimit: self.refreshLimit,
            decoyHash: self.hasher.decoyHash
        ).register(on: routes)
        KeySetController(store: self.keyStore, ring: self.keyRing).register(on: routes)
    }

    func prepare(logger: Logger) async throws {
        try await self.keyRing.prepare(logger: logger)
        try await self.admin.ensureExists(in: self.accounts, hasher: self.hasher, logger: logger)
    }

    var rpcServices: RPCServices {
        RPCServices(
            services: [
                ServiceTokensRPC(clients: self.serviceClients, grants: .standard, issuer: self.issuer),
                AccountsRPC(accounts: self.accounts),
            ],
            access: [
                Shop_Auth_V1_ServiceTokens.Method.IssueToken.descriptor: .ownCredentials,
                Shop_Auth_V1_Accounts.Method.GetAccount.descriptor: .scope(.accountsRead),
            ]
        )
    }

    var backgroundServices: [any Service] { [self.relay, self.trimmer, self.retention] }

    /// Refresh tokens that expired more than the retention age ago (a spent one presented again
    /// before that still revokes its family).
    static let expiredRefreshTokens = RetentionRule(table: "refresh_tokens", condition: "expires_at < $1")
}
