import Logging
import PostgresNIO

/// Applies pending migrations in one transaction under a Postgres advisory lock, so replicas
/// starting together apply each migration exactly once.
public struct MigrationRunner: Sendable {
    public let migrations: [Migration]
    /// The advisory lock key; one per service database is enough.
    public let lockKey: Int64

    public init(migrations: [Migration], lockKey: Int64 = 0x5357_4946_5453_484F) {
        self.migrations = migrations
        self.lockKey = lockKey
    }

    /// Applies what is pending and returns the versions applied now.
    @discardableResult
    public func run(on client: PostgresClient, logger: Logger) async throws -> [Int] {
        try self.checkSequence()
        let migrations = self.migrations
        let lockKey = self.lockKey
        do {
            return try await Self.apply(migrations, lockKey: lockKey, on: client, logger: logger)
        } catch let error as PostgresTransactionError {
            // PostgresNIO wraps what the transaction body threw; callers want the cause.
            if let cause = error.closureError { throw cause }
            throw error
        }
    }

    private static func apply(_ migrations: [Migration], lockKey: Int64, on client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied: [Int: String] = [:]
            for try await (version, checksum) in try await connection.query(
                "SELECT version, checksum FROM schema_migrations",
                logger: logger
            ).decode((Int, String).self) {
                applied[version] = checksum
            }
            let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
            if let unknown = applied.keys.sorted().first(where: { known[$0] == nil }) {
                throw MigrationError.unknownApplied(version: unknown)
            }
            var appliedNow: [Int] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
                    }
                    continue
                }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let (version, name, checksum) = (migration.version, migration.name, migration.checksum)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(version), \(name), \(checksum))",
                    logger: logger
                )
                logger.info("migration applied", metadata: ["migration.version": "\(version)", "migration.name": "\(name)"])
                appliedNow.append(version)
            }
            return appliedNow
        }
    }

    private func checkSequence() throws {
        var previous = Int.min
        for migration in self.migrations {
            guard migration.version > previous else {
                throw MigrationError.invalidSequence("version \(migration.version) is not greater than \(previous)")
            }
            guard !migration.statements.isEmpty else {
                throw MigrationError.invalidSequence("migration \(migration.version) has no statements")
            }
            previous = migration.version
        }
    }
}
