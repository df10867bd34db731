import Foundation
import Logging
import PostgresNIO
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `order rebuild-read-model`: replaces the read model with one rendered from the event store,
/// in one transaction, then prints how many orders it holds. Safe while the service runs.
enum ReadModelRebuild {
    static func run() async -> Never {
        let logger = Logger(label: "order-rebuild")
        do {
            let settings = SettingsReader(environment: ProcessInfo.processInfo.environment)
            let url = try settings.requiredString("database.url", hint: "postgres://user:password@host:port/database", secret: true)
            let database = Database(settings: try DatabaseSettings(url: url, poolSize: 2), logger: logger)
            let count = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    await database.client.run()
                    return nil
                }
                group.addTask {
                    try await database.ping(timeout: .seconds(10), logger: logger)
                    return try await OrderReadModel.rebuild(store: OrderStore(database: database), logger: logger)
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let count = result { return count }
                }
                return 0
            }
            print("rebuilt the order read model: \(count) orders")
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("order rebuild-read-model: \(error)\n".utf8))
            exit(1)
        }
    }
}
