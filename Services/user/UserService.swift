import ServiceKit

/// The user service: profiles and addresses (PII encrypted at rest from the identity issue on).
struct UserService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "user", defaultPort: 8082, migrations: UserMigrations.all)

    let profiles: ProfileRepository

    init(dependencies: ServiceDependencies) throws {
        self.profiles = ProfileRepository(database: try dependencies.requireDatabase())
    }

    func registerRoutes(on routes: ServiceRoutes) {
        ProfileController(profiles: self.profiles).register(on: routes)
    }
}
