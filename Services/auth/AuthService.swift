import Logging
import ServiceKit

/// The auth service: credentials, roles and (from the identity issue on) tokens and keys.
struct AuthService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "auth", defaultPort: 8081, migrations: AuthMigrations.all)

    let accounts: AccountRepository
    let hasher: PasswordHasher
    let admin: AdminAccount

    init(dependencies: ServiceDependencies) throws {
        self.accounts = AccountRepository(database: try dependencies.requireDatabase())
        self.hasher = PasswordHasher()
        self.admin = try AdminAccount(settings: dependencies.settings)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        RegistrationController(accounts: self.accounts, hasher: self.hasher).register(on: routes)
        KeySetController(accounts: self.accounts).register(on: routes)
    }

    func prepare(logger: Logger) async throws {
        try await self.admin.ensureExists(in: self.accounts, hasher: self.hasher, logger: logger)
    }
}
