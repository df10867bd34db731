import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Testing

/// The retention job against a real Postgres: rows older than the cut-off go, in batches,
/// newer ones and rows the rule does not select stay.
struct RetentionJobTests {
    private let logger = Logger(label: "retention-test")

    @Test func thePolicyComesFromSettings() throws {
        #expect(
            try RetentionPolicy(settings: SettingsReader(environment: [:])) == RetentionPolicy(age: .seconds(7 * 86_400), interval: .seconds(3_600))
        )
        let custom = try RetentionPolicy(
            settings: SettingsReader(environment: ["RETENTION_DAYS": "0.5", "RETENTION_INTERVAL_SECONDS": "30", "RETENTION_BATCH_SIZE": "10"])
        )
        #expect(custom == RetentionPolicy(age: .seconds(43_200), interval: .seconds(30), batchSize: 10))
        for (name, value) in [
            ("RETENTION_DAYS", "0"), ("RETENTION_DAYS", "soon"), ("RETENTION_BATCH_SIZE", "0"), ("RETENTION_INTERVAL_SECONDS", "-5"),
        ] {
            #expect(throws: ConfigurationError.self, "\(name)=\(value)") { try RetentionPolicy(settings: SettingsReader(environment: [name: value])) }
        }
    }

    @Test func rowsOlderThanTheCutOffGoInBatchesAndNewerOnesStay() async throws {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let outbox = "retention_outbox_\(suffix)"
        let inbox = "retention_inbox_\(suffix)"
        try await PostgresTestDatabase.withDatabase { database in
            try await database.execute(OutboxRelay.tableDefinition.replacingOccurrences(of: "CREATE TABLE outbox", with: "CREATE TABLE \(outbox)"))
            try await database.execute(
                EventConsumer.inboxTableDefinition.replacingOccurrences(of: "CREATE TABLE inbox", with: "CREATE TABLE \(inbox)")
            )
            // Outbox: seven sent 8 days ago, two sent 6 days ago, one unsent from 30 days ago (never purged).
            var oldSent: [UUID] = []
            var keptOutbox: [UUID] = []
            for index in 0..<10 {
                let id = UUID()
                let (sent, occurred) =
                    switch index {
                    case 0..<7: ("now() - interval '8 days'", "now() - interval '9 days'")
                    case 7..<9: ("now() - interval '6 days'", "now() - interval '6 days'")
                    default: ("NULL", "now() - interval '30 days'")
                    }
                if index < 7 { oldSent.append(id) } else { keptOutbox.append(id) }
                try await database.execute(
                    "INSERT INTO \(outbox) (id, type, subject, payload, occurred_at, sent_at) VALUES ('\(id)', 't', 's', '{}', \(occurred), \(sent))"
                )
            }
            // Inbox: three handled 10 days ago, one an hour ago.
            var keptInbox: [UUID] = []
            for index in 0..<4 {
                let id = UUID()
                if index == 3 { keptInbox.append(id) }
                let handled = index == 3 ? "now() - interval '1 hour'" : "now() - interval '10 days'"
                try await database.execute("INSERT INTO \(inbox) (event_id, event_type, handled_at) VALUES ('\(id)', 't', \(handled))")
            }

            let job = RetentionJob(
                database: database,
                rules: [
                    RetentionRule(table: outbox, condition: RetentionRule.sentOutbox.condition),
                    RetentionRule(table: inbox, condition: RetentionRule.inbox.condition),
                ],
                policy: RetentionPolicy(batchSize: 2),
                logger: self.logger
            )
            let deleted = try await job.purge(before: Date().addingTimeInterval(-7 * 86_400))
            #expect(deleted == [outbox: 7, inbox: 3], "seven in four batches of two, three in two")
            #expect(try await self.ids(outbox, "id", in: database) == Set(keptOutbox), "newer and unsent rows stay")
            #expect(try await self.ids(inbox, "event_id", in: database) == Set(keptInbox))
            #expect(try await job.purge(before: Date().addingTimeInterval(-7 * 86_400)) == [outbox: 0, inbox: 0], "a second run finds nothing")

            try await database.execute("DROP TABLE \(outbox)")
            try await database.execute("DROP TABLE \(inbox)")
        }
    }

    private func ids(_ table: String, _ column: String, in database: Database) async throws -> Set<UUID> {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT \(column) FROM \(table)"), logger: self.logger)
        var ids: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(id) }
        return ids
    }
}
