import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes `webhooks`: the URLs a user's notifications are POSTed to, with their
/// signing secrets sealed (``WebhookSecretCipher``).
struct WebhookRepository: Sendable {
    let database: Database
    let secrets: WebhookSecretCipher

    /// Webhooks one user may have.
    static let maximumPerUser = 10

    /// Registers a webhook; `nil` when the owner already has ``maximumPerUser``.
    func create(owner: UUID, url: String, secret: String, logger: Logger) async throws -> CreatedWebhook? {
        let sealed = try self.secrets.seal(secret)
        let keyID = self.secrets.activeKeyID
        return try await self.database.transaction(logger: logger) { connection in
            // Serializes creations per owner, so concurrent requests cannot pass the limit together.
            let lock = try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext('webhooks'), hashtext(\(owner.uuidString)))",
                logger: logger
            )
            for try await _ in lock {}
            let counted = try await connection.query("SELECT count(*) FROM webhooks WHERE user_id = \(owner)", logger: logger)
            var count: Int64 = 0
            for try await value in counted.decode(Int64.self) { count = value }
            guard count < Self.maximumPerUser else { return nil }
            let id = UUID()
            let rows = try await connection.query(
                """
                INSERT INTO webhooks (id, user_id, url, secret_ciphertext, secret_key_id)
                VALUES (\(id), \(owner), \(url), \(sealed), \(keyID))
                RETURNING created_at
                """,
                logger: logger
            )
            for try await createdAt in rows.decode(Date.self) {
                return CreatedWebhook(id: id, url: url, secret: secret, createdAt: createdAt)
            }
            return nil
        }
    }

    /// The owner's webhooks, oldest first.
    func list(owner: UUID, logger: Logger) async throws -> [WebhookView] {
        let rows = try await self.database.client.query(
            "SELECT id, url, created_at FROM webhooks WHERE user_id = \(owner) ORDER BY created_at, id",
            logger: logger
        )
        var webhooks: [WebhookView] = []
        for try await row in rows.decode((UUID, String, Date).self) {
            webhooks.append(WebhookView(id: row.0, url: row.1, createdAt: row.2))
        }
        return webhooks
    }

    /// Removes the owner's webhook with all its deliveries (pending ones are never sent); false when the owner has
    /// none with this id.
    func delete(id: UUID, owner: UUID, logger: Logger) async throws -> Bool {
        let rows = try await self.database.client.query(
            "DELETE FROM webhooks WHERE id = \(id) AND user_id = \(owner) RETURNING id",
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}
