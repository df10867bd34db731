import ServiceKit

/// The notification service: each user's inbox and webhook deliveries.
struct NotificationService: ServiceModule {
    static let descriptor = ServiceDescriptor(name: "notification", defaultPort: 8086, migrations: NotificationMigrations.all)

    let inbox: InboxRepository

    init(dependencies: ServiceDependencies) throws {
        self.inbox = InboxRepository(database: try dependencies.requireDatabase())
    }

    func registerRoutes(on routes: ServiceRoutes) {
        InboxController(inbox: self.inbox).register(on: routes)
    }
}
