import Foundation
import Logging
import PostgresNIO
import Testing

extension ShopStackSuite {
    /// Each service's retention job (default `RETENTION_DAYS` 7, run every second in this stack)
    /// purges what has served its purpose and keeps what is newer or still in use.
    @Suite("Retention")
    struct RetentionTests {
        /// Rows planted in one table of one service: those that must go and those that must stay.
        private struct Planted: Sendable, CustomStringConvertible {
            let service: String
            let table: String
            /// The column that tells the planted rows apart.
            let column: String
            let purged: [String]
            let kept: [String]
            var description: String { "\(self.service).\(self.table)" }
        }

        @Test("Sent outbox rows, inbox ids, idempotency keys, expired refresh tokens and finished deliveries older than 7 days go; newer ones stay")
        func oldRowsArePurged() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            var planted: [Planted] = []

            for service in ["auth", "user", "product", "order", "payment"] {
                let (old, new, unsent) = (Self.newID(), Self.newID(), Self.newID())
                try await Self.run(
                    service,
                    """
                    INSERT INTO outbox (id, type, subject, payload, occurred_at, sent_at, next_attempt_at) VALUES
                    ('\(old)', 'test.retention', 'retention', '{}', now() - interval '9 days', now() - interval '8 days', now()),
                    ('\(new)', 'test.retention', 'retention', '{}', now() - interval '6 days', now() - interval '6 days', now()),
                    ('\(unsent)', 'test.retention', 'retention', '{}', now() - interval '30 days', NULL, now() + interval '1 year')
                    """
                )
                planted.append(Planted(service: service, table: "outbox", column: "id", purged: [old], kept: [new, unsent]))
            }
            for service in ["user", "notification"] {
                let (old, new) = (Self.newID(), Self.newID())
                try await Self.run(
                    service,
                    """
                    INSERT INTO inbox (event_id, event_type, handled_at) VALUES
                    ('\(old)', 'test.retention', now() - interval '8 days'), ('\(new)', 'test.retention', now() - interval '6 days')
                    """
                )
                planted.append(Planted(service: service, table: "inbox", column: "event_id", purged: [old], kept: [new]))
            }

            let (oldKey, newKey) = ("retention-\(Self.newID())", "retention-\(Self.newID())")
            try await Self.run(
                "order",
                """
                INSERT INTO idempotency_keys (user_id, key, fingerprint, order_id, created_at) VALUES
                ('\(Self.newID())', '\(oldKey)', 'f', '\(Self.newID())', now() - interval '8 days'),
                ('\(Self.newID())', '\(newKey)', 'f', '\(Self.newID())', now() - interval '6 days')
                """
            )
            planted.append(Planted(service: "order", table: "idempotency_keys", column: "key", purged: [oldKey], kept: [newKey]))

            // Refresh tokens are told apart by family; a token expired 6 days ago and a live one stay.
            let (oldFamily, recentFamily, liveFamily) = (Self.newID(), Self.newID(), Self.newID())
            try await Self.run(
                "auth",
                """
                INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at, expires_at) VALUES
                (decode(md5(random()::text), 'hex'), '\(oldFamily)', '\(session.id)', now() - interval '38 days', now() - interval '8 days'),
                (decode(md5(random()::text), 'hex'), '\(recentFamily)', '\(session.id)', now() - interval '36 days', now() - interval '6 days'),
                (decode(md5(random()::text), 'hex'), '\(liveFamily)', '\(session.id)', now(), now() + interval '30 days')
                """
            )
            planted.append(
                Planted(service: "auth", table: "refresh_tokens", column: "family_id", purged: [oldFamily], kept: [recentFamily, liveFamily])
            )

            // Webhook deliveries: delivered 8 days ago goes; dead 6 days ago and an old pending one stay.
            let (user, webhook) = (Self.newID(), Self.newID())
            let notifications = (0..<3).map { _ in Self.newID() }
            let deliveries = (0..<3).map { _ in Self.newID() }
            let notificationRows = notifications.map {
                "('\($0)', '\(user)', '\(Self.newID())', 'test.retention', 'planted', 'planted', now() - interval '30 days')"
            }
            try await Self.run(
                "notification",
                "INSERT INTO webhooks (id, user_id, url, secret) VALUES ('\(webhook)', '\(user)', 'https://example.invalid/hook', 'planted-secret')"
            )
            try await Self.run(
                "notification",
                "INSERT INTO notifications (id, user_id, event_id, type, subject, body, created_at) VALUES \(notificationRows.joined(separator: ", "))"
            )
            try await Self.run(
                "notification",
                """
                INSERT INTO webhook_deliveries (id, webhook_id, notification_id, status, created_at, completed_at, next_attempt_at) VALUES
                ('\(deliveries[0])', '\(webhook)', '\(notifications[0])', 'delivered', now() - interval '9 days', now() - interval '8 days', now()),
                ('\(deliveries[1])', '\(webhook)', '\(notifications[1])', 'dead', now() - interval '7 days', now() - interval '6 days', now()),
                ('\(deliveries[2])', '\(webhook)', '\(notifications[2])', 'pending', now() - interval '30 days', NULL, now() + interval '1 year')
                """
            )
            planted.append(
                Planted(
                    service: "notification",
                    table: "webhook_deliveries",
                    column: "id",
                    purged: [deliveries[0]],
                    kept: [deliveries[1], deliveries[2]]
                )
            )

            // Every old row goes within 20 s (the jobs run every second) ...
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            var remaining: [String] = []
            repeat {
                remaining = []
                for rows in planted {
                    let left = try await Self.present(rows.purged, of: rows)
                    if !left.isEmpty { remaining.append(rows.description) }
                }
                if remaining.isEmpty { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline
            #expect(remaining.isEmpty, "old rows still there after 20 s: \(remaining)")

            // ... and every newer one stays.
            for rows in planted {
                let kept = try await Self.present(rows.kept, of: rows)
                #expect(kept == Set(rows.kept), "\(rows): newer rows stay, found \(kept) of \(rows.kept)")
            }
            try await Self.run("notification", "DELETE FROM webhooks WHERE id = '\(webhook)'")
            try await Self.run("notification", "DELETE FROM notifications WHERE user_id = '\(user)'")
            try await Self.run("auth", "DELETE FROM refresh_tokens WHERE family_id IN ('\(recentFamily)', '\(liveFamily)')")
            for rows in planted where rows.table == "outbox" {
                try await Self.run(rows.service, "DELETE FROM outbox WHERE subject = 'retention' AND sent_at IS NULL")
            }
        }

        private static func newID() -> String { UUID().uuidString.lowercased() }

        /// Runs one statement of the test's own SQL (every value in it was made by the test) on a service's database.
        private static func run(_ service: String, _ sql: String) async throws {
            try await ServiceDatabase.withClient(service) { client in
                _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: ServiceDatabase.logger)
            }
        }

        /// Which of `values` are still in the planted rows' table.
        private static func present(_ values: [String], of rows: Planted) async throws -> Set<String> {
            let list = values.map { "'\($0)'" }.joined(separator: ", ")
            let sql = "SELECT \(rows.column)::text FROM \(rows.table) WHERE \(rows.column)::text IN (\(list))"
            return try await ServiceDatabase.withClient(rows.service) { client in
                let result = try await client.query(PostgresQuery(unsafeSQL: sql), logger: ServiceDatabase.logger)
                var found: Set<String> = []
                for try await value in result.decode(String.self) { found.insert(value.lowercased()) }
                return found
            }
        }
    }
}
