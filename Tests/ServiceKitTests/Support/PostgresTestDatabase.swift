import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Testing

/// The Postgres server at `PG_TEST_URL`, e.g. `postgres://servicekit_test:pw@127.0.0.1:54339/servicekit_test`.
enum PostgresTestDatabase {
    static let logger = Logger(label: "postgres-test")

    /// Postgres did not answer; a clear message instead of a hang.
    struct Unreachable: Error, CustomStringConvertible {
        let location: String
        let underlying: any Error
        var description: String {
            "Postgres at \(self.location) (PG_TEST_URL) did not answer SELECT 1 within 5 s: \(String(reflecting: self.underlying)). "
                + "Start the server and check the user, password and database."
        }
    }

    /// The settings from `PG_TEST_URL`; fails the test (never skips it) when the variable is missing.
    static func settings() throws -> DatabaseSettings {
        let url = try #require(
            ProcessInfo.processInfo.environment["PG_TEST_URL"],
            "PG_TEST_URL is not set: start Postgres and export PG_TEST_URL=postgres://user:password@127.0.0.1:5432/database"
        )
        return try DatabaseSettings(url: url, poolSize: 4)
    }

    /// Runs `body` with a database whose pool is running, after checking the server answers.
    static func withDatabase<Value: Sendable>(_ body: (Database) async throws -> Value) async throws -> Value {
        let database = Database(settings: try self.settings(), logger: self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            do {
                do {
                    try await database.ping(timeout: .seconds(5), logger: self.logger)
                } catch {
                    throw Unreachable(location: database.location, underlying: error)
                }
                let value = try await body(database)
                group.cancelAll()
                return value
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

extension Database {
    /// Creates the `inbox` table the consumer tests share, if it is missing. Suites run in
    /// parallel, and two concurrent `CREATE TABLE IF NOT EXISTS` can still collide in Postgres's
    /// catalog: an advisory lock makes them take turns.
    func createSharedInbox() async throws {
        let definition = EventConsumer.inboxTableDefinition.replacingOccurrences(of: "CREATE TABLE inbox", with: "CREATE TABLE IF NOT EXISTS inbox")
        try await self.transaction(logger: PostgresTestDatabase.logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7001001)", logger: PostgresTestDatabase.logger)
            try await connection.query(PostgresQuery(unsafeSQL: definition), logger: PostgresTestDatabase.logger)
        }
    }

    /// Runs one statement of trusted test SQL.
    func execute(_ sql: String) async throws {
        try await self.client.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger)
    }

    /// One recorded migration.
    struct AppliedMigration: Equatable, CustomStringConvertible {
        let version: Int
        let name: String
        let checksum: String
        var description: String { "\(self.version) \(self.name) \(self.checksum.prefix(8))" }
    }

    /// The rows of `schema_migrations` by version; empty when the table does not exist.
    func appliedMigrations() async throws -> [AppliedMigration] {
        guard try await self.tableExists("schema_migrations") else { return [] }
        var applied: [AppliedMigration] = []
        let rows = try await self.client.query(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
            logger: PostgresTestDatabase.logger
        )
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied.append(AppliedMigration(version: version, name: name, checksum: checksum))
        }
        return applied
    }

    /// Whether a table exists in the current schema.
    func tableExists(_ name: String) async throws -> Bool {
        let rows = try await self.client.query(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(name)",
            logger: PostgresTestDatabase.logger
        )
        for try await count in rows.decode(Int.self) { return count > 0 }
        return false
    }

    /// The columns of a table, in order.
    func columns(of table: String) async throws -> [String] {
        let rows = try await self.client.query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position",
            logger: PostgresTestDatabase.logger
        )
        var columns: [String] = []
        for try await column in rows.decode(String.self) { columns.append(column) }
        return columns
    }
}
