import ServiceKit

/// The user service: profiles and addresses, phone and addresses encrypted at rest.
struct UserService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "user", defaultPort: 8082, migrations: UserMigrations.all)

    let profiles: ProfileRepository

    init(dependencies: ServiceDependencies) throws {
        let cipher = try FieldCipher(settings: dependencies.settings, keysKey: "user.piiKeys", activeKey: "user.piiKeyId")
        self.profiles = ProfileRepository(database: try dependencies.requireDatabase(), cipher: cipher)
    }

    func registerRoutes(on routes: ServiceRoutes) {
        ProfileController(profiles: self.profiles).register(on: routes)
    }
}
