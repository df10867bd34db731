import Logging
import ServiceKit
import Testing

/// ``MigrationRunner`` against a real Postgres (`PG_TEST_URL`).
///
/// Serialized: the tests share the database's `schema_migrations` table, which each test drops
/// first. Every test has its own table names and advisory lock key.
@Suite(.serialized)
struct MigrationRunnerTests {
    private let logger = PostgresTestDatabase.logger

    /// Starts from a database without `schema_migrations` or the test's tables.
    private func reset(_ database: Database, tables: [String]) async throws {
        try await database.execute("DROP TABLE IF EXISTS schema_migrations")
        for table in tables { try await database.execute("DROP TABLE IF EXISTS \(table) CASCADE") }
    }

    private func expected(_ migrations: [Migration]) -> [Database.AppliedMigration] {
        migrations.map { .init(version: $0.version, name: $0.name, checksum: $0.checksum) }
    }

    private static let catalog = [
        Migration(version: 1, name: "create products", statements: ["CREATE TABLE mr_products (id integer PRIMARY KEY)"]),
        Migration(
            version: 2,
            name: "add price",
            statements: [
                "ALTER TABLE mr_products ADD COLUMN price_cents integer NOT NULL DEFAULT 0",
                "CREATE INDEX mr_products_price ON mr_products (price_cents)",
            ]
        ),
        Migration(version: 3, name: "add name", statements: ["ALTER TABLE mr_products ADD COLUMN name text"]),
    ]

    @Test func appliesPendingMigrationsInOrderAndRecordsTheirChecksums() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: ["mr_products"])
            let applied = try await MigrationRunner(migrations: Self.catalog, lockKey: 9_001).run(on: database.client, logger: self.logger)
            #expect(applied == [1, 2, 3])
            // Each ALTER needs the table of the step before it, so order was kept.
            #expect(try await database.columns(of: "mr_products") == ["id", "price_cents", "name"])
            let recorded = try await database.appliedMigrations()
            #expect(recorded == self.expected(Self.catalog))
            #expect(recorded.allSatisfy { $0.checksum.count == 64 && $0.checksum.allSatisfy(\.isHexDigit) })
            #expect(Set(recorded.map(\.checksum)).count == 3)
        }
    }

    @Test func aSecondRunAppliesNothingAndALaterRunOnlyWhatIsNew() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: ["mr_products"])
            let runner = MigrationRunner(migrations: Array(Self.catalog.prefix(2)), lockKey: 9_002)
            #expect(try await runner.run(on: database.client, logger: self.logger) == [1, 2])
            #expect(try await runner.run(on: database.client, logger: self.logger) == [])
            #expect(try await database.appliedMigrations() == self.expected(Array(Self.catalog.prefix(2))))
            let later = MigrationRunner(migrations: Self.catalog, lockKey: 9_002)
            #expect(try await later.run(on: database.client, logger: self.logger) == [3])
            #expect(try await database.appliedMigrations() == self.expected(Self.catalog))
        }
    }

    @Test func aChangedAppliedMigrationIsAChecksumMismatch() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: ["mr_products"])
            try await MigrationRunner(migrations: Array(Self.catalog.prefix(2)), lockKey: 9_003).run(on: database.client, logger: self.logger)
            var changed = Self.catalog
            changed[1] = Migration(version: 2, name: "add price", statements: ["ALTER TABLE mr_products ADD COLUMN price_cents bigint"])
            let error = await #expect(throws: MigrationError.self) {
                try await MigrationRunner(migrations: changed, lockKey: 9_003).run(on: database.client, logger: self.logger)
            }
            #expect(error == .checksumMismatch(version: 2, name: "add price"))
            // Nothing of the refused run is left behind, not even the pending migration 3.
            #expect(try await database.appliedMigrations() == self.expected(Array(Self.catalog.prefix(2))))
            #expect(try await database.columns(of: "mr_products") == ["id", "price_cents"])
        }
    }

    @Test func anAppliedVersionThisBuildDoesNotKnowIsRefused() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: ["mr_products"])
            try await MigrationRunner(migrations: Self.catalog, lockKey: 9_004).run(on: database.client, logger: self.logger)
            let error = await #expect(throws: MigrationError.self) {
                try await MigrationRunner(migrations: Array(Self.catalog.prefix(1)), lockKey: 9_004).run(on: database.client, logger: self.logger)
            }
            #expect(error == .unknownApplied(version: 2))
            #expect(try await database.appliedMigrations() == self.expected(Self.catalog))
        }
    }

    @Test func aFailingStatementRollsBackTheWholeBatch() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: ["mr_customers", "mr_addresses"])
            let migrations = [
                Migration(version: 1, name: "create customers", statements: ["CREATE TABLE mr_customers (id integer PRIMARY KEY)"]),
                Migration(
                    version: 2,
                    name: "create addresses",
                    statements: [
                        "CREATE TABLE mr_addresses (id integer PRIMARY KEY)",
                        "ALTER TABLE mr_no_such_table ADD COLUMN x integer",
                    ]
                ),
            ]
            await #expect(throws: (any Error).self) {
                try await MigrationRunner(migrations: migrations, lockKey: 9_005).run(on: database.client, logger: self.logger)
            }
            #expect(try await !database.tableExists("mr_customers"))
            #expect(try await !database.tableExists("mr_addresses"))
            #expect(try await database.appliedMigrations() == [])
        }
    }

    @Test func concurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await PostgresTestDatabase.withDatabase { replica in
                try await self.reset(database, tables: ["mr_orders", "mr_order_lines"])
                let migrations = [
                    // The pause keeps the first transaction open while the second runner arrives.
                    Migration(
                        version: 1,
                        name: "create orders",
                        statements: ["CREATE TABLE mr_orders (id integer PRIMARY KEY)", "SELECT pg_sleep(0.3)"]
                    ),
                    Migration(version: 2, name: "create order lines", statements: ["CREATE TABLE mr_order_lines (id integer PRIMARY KEY)"]),
                ]
                let logger = self.logger
                async let first = MigrationRunner(migrations: migrations, lockKey: 9_006).run(on: database.client, logger: logger)
                async let second = MigrationRunner(migrations: migrations, lockKey: 9_006).run(on: replica.client, logger: logger)
                let results = try await [first, second]
                #expect(results.contains([1, 2]))
                #expect(results.contains([]))
                #expect(try await database.appliedMigrations() == self.expected(migrations))
            }
        }
    }

    @Test(arguments: [
        [Migration(version: 2, name: "b", statements: ["SELECT 1"]), Migration(version: 1, name: "a", statements: ["SELECT 1"])],
        [Migration(version: 1, name: "a", statements: ["SELECT 1"]), Migration(version: 1, name: "a again", statements: ["SELECT 1"])],
        [Migration(version: 1, name: "empty", statements: [])],
    ])
    func anInvalidListIsRefusedBeforeTouchingTheDatabase(migrations: [Migration]) async throws {
        try await PostgresTestDatabase.withDatabase { database in
            try await self.reset(database, tables: [])
            let error = await #expect(throws: MigrationError.self) {
                try await MigrationRunner(migrations: migrations, lockKey: 9_007).run(on: database.client, logger: self.logger)
            }
            guard case .invalidSequence = error else {
                Issue.record("expected invalidSequence, got \(String(describing: error))")
                return
            }
            #expect(try await !database.tableExists("schema_migrations"))
        }
    }

    @Test func theChecksumDependsOnTheStatementsOnly() {
        let original = Migration(version: 1, name: "a", statements: ["CREATE TABLE t (id integer)", "CREATE INDEX i ON t (id)"])
        #expect(Migration(version: 7, name: "renamed", statements: original.statements).checksum == original.checksum)
        #expect(Migration(version: 1, name: "a", statements: ["CREATE TABLE t (id integer)"]).checksum != original.checksum)
        #expect(
            Migration(version: 1, name: "a", statements: ["CREATE TABLE t (id integer);\nCREATE INDEX i ON t (id)"]).checksum != original.checksum
        )
    }
}
