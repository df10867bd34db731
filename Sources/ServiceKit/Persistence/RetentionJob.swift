import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Rows of one table that may be deleted once they are older than the retention age.
public struct RetentionRule: Sendable, Equatable {
    /// The table, as written in the service's migrations.
    public var table: String
    /// A SQL condition on the table's columns, where `$1` is the cut-off time: the rows it
    /// selects are deleted (e.g. `sent_at < $1`). Code, never input.
    public var condition: String

    public init(table: String, condition: String) {
        self.table = table
        self.condition = condition
    }

    /// Outbox rows published before the cut-off (``OutboxRelay``).
    public static let sentOutbox = RetentionRule(table: "outbox", condition: "sent_at < $1")
    /// Inbox ids of events handled before the cut-off (``EventConsumer``): an event is never
    /// redelivered that long after it was handled.
    public static let inbox = RetentionRule(table: "inbox", condition: "handled_at < $1")
}

/// How long rows are kept and how the purge runs: `RETENTION_DAYS`, `RETENTION_INTERVAL_SECONDS`
/// and `RETENTION_BATCH_SIZE`.
public struct RetentionPolicy: Sendable, Equatable {
    /// Rows older than this go.
    public var age: Duration
    /// Time between two purges.
    public var interval: Duration
    /// Rows deleted per statement, so no purge holds locks for long.
    public var batchSize: Int

    public init(age: Duration = .seconds(7 * 86_400), interval: Duration = .seconds(3_600), batchSize: Int = 1_000) {
        self.age = age
        self.interval = interval
        self.batchSize = max(1, batchSize)
    }

    /// Reads `RETENTION_DAYS` (default 7, fractions allowed), `RETENTION_INTERVAL_SECONDS`
    /// (default 3600) and `RETENTION_BATCH_SIZE` (default 1000).
    public init(settings: SettingsReader) throws {
        let days = try settings.double("retention.days", default: 7, range: 0.000_1...36_500)
        self.init(
            age: .milliseconds(Int64((days * 86_400_000).rounded())),
            interval: try settings.seconds("retention.intervalSeconds", default: .seconds(3_600), range: 0.05...(7 * 86_400)),
            batchSize: try settings.int("retention.batchSize", default: 1_000, range: 1...100_000)
        )
    }
}

/// Deletes rows that have served their purpose (sent outbox rows, old inbox ids, spent
/// idempotency keys, expired tokens, finished deliveries) once they are older than
/// ``RetentionPolicy/age``, every ``RetentionPolicy/interval``.
///
/// Each delete is its own short statement of at most ``RetentionPolicy/batchSize`` rows, so a
/// large backlog never holds long locks or one long transaction. Several replicas may purge at
/// once: they only delete the same old rows. `retention_deleted_total{table}` counts the rows.
public struct RetentionJob: Service {
    let database: Database
    let rules: [RetentionRule]
    let policy: RetentionPolicy
    let logger: Logger

    public init(database: Database, rules: [RetentionRule], policy: RetentionPolicy, logger: Logger) {
        self.database = database
        self.rules = rules
        self.policy = policy
        self.logger = logger
    }

    /// The job for `rules` with the policy from the service's settings.
    public init(dependencies: ServiceDependencies, database: Database, rules: [RetentionRule]) throws {
        self.init(database: database, rules: rules, policy: try RetentionPolicy(settings: dependencies.settings), logger: dependencies.logger)
    }

    public func run() async throws {
        MetricCatalog.declareCounter("retention_deleted_total", dimension: "table", values: self.rules.map(\.table))
        try await runUntilShutdown {
            while !Task.isCancelled {
                do {
                    try await self.purge(before: Date().addingTimeInterval(-Double(self.policy.age / .milliseconds(1)) / 1000))
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("retention purge failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: self.policy.interval)
            }
        }
    }

    /// Deletes, table by table and batch by batch, the rows each rule selects for `cutoff`;
    /// returns how many went per table.
    @discardableResult
    public func purge(before cutoff: Date) async throws -> [String: Int] {
        var deleted: [String: Int] = [:]
        for rule in self.rules {
            var total = 0
            while true {
                try Task.checkCancellation()
                let count = try await self.deleteBatch(rule, cutoff: cutoff)
                total += count
                if count < self.policy.batchSize { break }
            }
            deleted[rule.table, default: 0] += total
            if total > 0 {
                Counter(label: "retention_deleted_total", dimensions: [("table", rule.table)]).increment(by: total)
                self.logger.info("old rows purged", metadata: ["retention.table": "\(rule.table)", "retention.deleted": "\(total)"])
            }
        }
        return deleted
    }

    private func deleteBatch(_ rule: RetentionRule, cutoff: Date) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(cutoff)
        // The batch is picked by physical row id: no key column needs to be known, and the
        // statement locks only the rows it deletes.
        let sql = """
            WITH deleted AS (
                DELETE FROM \(rule.table) WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM \(rule.table) WHERE \(rule.condition) LIMIT \(self.policy.batchSize)
                ))
                RETURNING 1
            )
            SELECT count(*)::int8 FROM deleted
            """
        let rows = try await self.database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
