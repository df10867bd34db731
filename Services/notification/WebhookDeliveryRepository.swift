import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes `webhook_deliveries`: one row per notification and webhook of its owner,
/// `pending` until `delivered` or, out of attempts, `dead`.
struct WebhookDeliveryRepository: Sendable {
    let database: Database

    /// Schedules the notification for every webhook of its owner, inside the transaction that
    /// creates the notification; returns how many deliveries were scheduled.
    func schedule(notification: UUID, owner: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO webhook_deliveries (id, webhook_id, notification_id)
            SELECT gen_random_uuid(), id, \(notification) FROM webhooks WHERE user_id = \(owner)
            ON CONFLICT (webhook_id, notification_id) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        var scheduled = 0
        for try await _ in rows.decode(UUID.self) { scheduled += 1 }
        return scheduled
    }

    /// Claims up to `limit` due deliveries and counts the attempt. A claim is a lease: the
    /// delivery's next attempt moves `lease` ahead, so no other replica takes it meanwhile (rows
    /// are picked with `FOR UPDATE SKIP LOCKED`), and a replica that dies mid-attempt leaves it
    /// to be tried again once the lease is over.
    func claimDue(limit: Int, lease: Duration, logger: Logger) async throws -> [WebhookDelivery] {
        let rows = try await self.database.client.query(
            """
            WITH due AS (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE webhook_deliveries AS delivery
                SET attempts = delivery.attempts + 1, next_attempt_at = now() + make_interval(secs => \(Self.seconds(lease)))
                FROM due WHERE delivery.id = due.id
                RETURNING delivery.id, delivery.webhook_id, delivery.notification_id, delivery.attempts
            )
            SELECT claimed.id, claimed.webhook_id, claimed.attempts, webhooks.url, webhooks.secret_ciphertext, webhooks.secret,
                   notifications.id, notifications.type, notifications.subject, notifications.body,
                   notifications.created_at, notifications.user_id, notifications.event_id
            FROM claimed
            JOIN webhooks ON webhooks.id = claimed.webhook_id
            JOIN notifications ON notifications.id = claimed.notification_id
            """,
            logger: logger
        )
        var deliveries: [WebhookDelivery] = []
        for try await row in rows.decode((UUID, UUID, Int32, String, Data?, String?, UUID, String, String, String, Date, UUID, UUID).self) {
            let payload = WebhookPayload(id: row.6, type: row.7, subject: row.8, body: row.9, createdAt: row.10, userId: row.11, eventId: row.12)
            // The table's check constraint keeps one of the two; an empty secret signs nothing and fails to open.
            let secret = StoredWebhookSecret(ciphertext: row.4, plaintext: row.5) ?? .sealed(Data())
            deliveries.append(WebhookDelivery(id: row.0, webhookID: row.1, attempt: Int(row.2), url: row.3, secret: secret, payload: payload))
        }
        return deliveries
    }

    /// Records a successful attempt. Like the other outcomes, only while the claim is still this
    /// attempt's (not taken over after its lease ran out); returns whether it was recorded.
    @discardableResult
    func markDelivered(_ delivery: WebhookDelivery, statusCode: Int, logger: Logger) async throws -> Bool {
        let rows = try await self.database.client.query(
            """
            UPDATE webhook_deliveries
            SET status = 'delivered', completed_at = now(), last_status_code = \(Int32(statusCode)), last_error = NULL
            WHERE id = \(delivery.id) AND status = 'pending' AND attempts = \(Int32(delivery.attempt))
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Records a failed attempt: scheduled again after `retry`'s wait, or marked `dead`.
    @discardableResult
    func markFailed(_ delivery: WebhookDelivery, statusCode: Int?, error: String, retry: DeliveryRetry, logger: Logger) async throws -> Bool {
        let code = statusCode.map { Int32($0) }
        let message = String(error.prefix(500))
        let rows: PostgresRowSequence
        switch retry {
        case .retry(let wait):
            rows = try await self.database.client.query(
                """
                UPDATE webhook_deliveries
                SET next_attempt_at = now() + make_interval(secs => \(Self.seconds(wait))), last_status_code = \(code), last_error = \(message)
                WHERE id = \(delivery.id) AND status = 'pending' AND attempts = \(Int32(delivery.attempt))
                RETURNING id
                """,
                logger: logger
            )
        case .dead:
            rows = try await self.database.client.query(
                """
                UPDATE webhook_deliveries
                SET status = 'dead', completed_at = now(), last_status_code = \(code), last_error = \(message)
                WHERE id = \(delivery.id) AND status = 'pending' AND attempts = \(Int32(delivery.attempt))
                RETURNING id
                """,
                logger: logger
            )
        }
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration / .milliseconds(1)) / 1000
    }
}
