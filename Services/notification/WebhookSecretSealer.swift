import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The data half of migration 4: seals every webhook secret still stored in plain text (rows
/// from before secrets were encrypted, or written by an older replica during a rolling update)
/// and clears the plain column. Runs at every start after the migrations and before the service
/// serves; a start with nothing to seal costs one indexed query.
///
/// Rows are sealed in batches, each in its own short transaction that locks its rows
/// (`FOR UPDATE SKIP LOCKED`), so replicas starting together share the work and never seal a
/// row twice.
struct WebhookSecretSealer: Sendable {
    let database: Database
    let secrets: WebhookSecretCipher
    var batchSize = 500

    /// Seals what is plain; returns how many secrets were sealed.
    @discardableResult
    func sealPlaintextSecrets(logger: Logger) async throws -> Int {
        var total = 0
        while true {
            let sealed = try await self.sealBatch(logger: logger)
            total += sealed
            if sealed < self.batchSize { break }
        }
        if total > 0 {
            logger.info("webhook secrets encrypted", metadata: ["webhook.secrets": "\(total)", "key.id": "\(self.secrets.activeKeyID)"])
        }
        return total
    }

    private func sealBatch(logger: Logger) async throws -> Int {
        let secrets = self.secrets
        let limit = self.batchSize
        return try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT id, secret FROM webhooks WHERE secret IS NOT NULL ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED",
                logger: logger
            )
            var plain: [(UUID, String)] = []
            for try await row in rows.decode((UUID, String).self) { plain.append(row) }
            for (id, secret) in plain {
                let sealed = try secrets.seal(secret)
                try await connection.query(
                    """
                    UPDATE webhooks SET secret_ciphertext = \(sealed), secret_key_id = \(secrets.activeKeyID), secret = NULL
                    WHERE id = \(id)
                    """,
                    logger: logger
                )
            }
            return plain.count
        }
    }
}
