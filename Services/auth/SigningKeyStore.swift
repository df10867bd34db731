import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `signing_keys`: every key that signs or still verifies access tokens. A key stops verifying
/// at `retired_at`; the newest key with no `retired_at` signs.
struct SigningKeyStore: Sendable {
    let database: Database

    /// The public JWKs of keys that still verify tokens, oldest first.
    func publicKeys(logger: Logger) async throws -> [String] {
        let rows = try await self.database.client.query(
            "SELECT public_jwk::text FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at",
            logger: logger
        )
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }

    /// The newest stored key that signs, if its private half is stored.
    func activeStoredKey(logger: Logger) async throws -> SigningKey? {
        let rows = try await self.database.client.query(
            """
            SELECT kid, private_key_pem FROM signing_keys
            WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1
            """,
            logger: logger
        )
        for try await (kid, pem) in rows.decode((String, String?).self) {
            guard let pem else { return nil }
            return try SigningKey(pem: pem, kid: kid)
        }
        return nil
    }

    /// Makes `key` the signing key: stored (with its private half when `storePrivateKey`), and
    /// every other active key retired once the tokens it signed have expired.
    ///
    /// With `onlyIfNone`, nothing changes when an active key exists (first start of several
    /// replicas at once: one generates, the others use it). Returns whether `key` was installed.
    @discardableResult
    func install(_ key: SigningKey, storePrivateKey: Bool, retireOthersAfter grace: Duration, onlyIfNone: Bool, logger: Logger) async throws -> Bool {
        let pem: String? = storePrivateKey ? key.privateKeyPEM : nil
        let graceSeconds = Double(grace.components.seconds)
        return try await self.database.transaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))", logger: logger)
            if onlyIfNone {
                let rows = try await connection.query("SELECT 1 FROM signing_keys WHERE retired_at IS NULL LIMIT 1", logger: logger)
                for try await _ in rows.decode(Int32.self) { return false }
            }
            try await connection.query(
                """
                INSERT INTO signing_keys (kid, public_jwk, private_key_pem, created_at)
                VALUES (\(key.kid), \(key.publicJWK)::jsonb, \(pem), clock_timestamp())
                ON CONFLICT (kid) DO UPDATE SET retired_at = NULL, created_at = clock_timestamp()
                """,
                logger: logger
            )
            try await connection.query(
                """
                UPDATE signing_keys SET retired_at = now() + make_interval(secs => \(graceSeconds))
                WHERE kid <> \(key.kid) AND retired_at IS NULL
                """,
                logger: logger
            )
            return true
        }
    }
}
