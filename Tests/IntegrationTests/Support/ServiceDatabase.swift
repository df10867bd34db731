import Foundation
import Logging
import PostgresNIO

/// Reads a service's own database through `<SERVICE>_DATABASE_URL`, to check what the API does not show.
enum ServiceDatabase {
    static let logger = Logger(label: "integration.service-database")

    /// `postgres://user:password@host:port/database` from `<SERVICE>_DATABASE_URL`, without TLS.
    static func configuration(_ service: String) throws -> PostgresClient.Configuration {
        let variable = "\(service.uppercased())_DATABASE_URL"
        let raw = try Stack.required(variable)
        guard let components = URLComponents(string: raw), let host = components.host, let username = components.user else {
            throw HarnessError("\(variable) is not postgres://user:password@host:port/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: username,
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: .disable
        )
    }

    /// Runs `body` with a running client of `service`'s database, at most `timeout` in all.
    static func withClient<Value: Sendable>(
        _ service: String,
        timeout: Duration = .seconds(30),
        _ body: @escaping @Sendable (PostgresClient) async throws -> Value
    ) async throws -> Value {
        let client = PostgresClient(configuration: try configuration(service), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Value?.self, returning: Value.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HarnessError("\(service)'s database did not answer within \(timeout)")
            }
            group.addTask { try await body(client) }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                if let value = outcome { return value }
            }
            throw HarnessError("the Postgres client of \(service)'s database stopped before the query finished")
        }
    }
}
