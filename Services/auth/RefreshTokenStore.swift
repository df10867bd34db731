import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Rotating opaque refresh tokens, stored as SHA-256 hashes. Each login starts a family; each
/// use spends the token and issues its successor in the same family. Presenting a spent token
/// again means it leaked: the whole family is revoked.
struct RefreshTokenStore: Sendable {
    let database: Database
    let lifetime: Duration

    /// What presenting a refresh token led to.
    enum Outcome: Sendable, Equatable {
        /// The token was valid: here is its successor, for this account.
        case rotated(account: UUID, successor: String)
        /// Unknown, expired or revoked.
        case invalid
        /// Already spent: the family is now revoked.
        case reused
    }

    /// Starts a family for a login and returns its first token.
    func issue(account: UUID, logger: Logger) async throws -> String {
        let token = Self.newToken()
        let seconds = Double(self.lifetime.components.seconds)
        try await self.database.client.query(
            """
            INSERT INTO refresh_tokens (token_hash, family_id, account_id, expires_at)
            VALUES (\(Self.hash(token)), \(UUID()), \(account), now() + make_interval(secs => \(seconds)))
            """,
            logger: logger
        )
        return token
    }

    /// Spends `token` and issues its successor, or says why not. A reuse's revocation is
    /// committed even though the caller answers 401.
    func rotate(_ token: String, logger: Logger) async throws -> Outcome {
        let hash = Self.hash(token)
        let successor = Self.newToken()
        let seconds = Double(self.lifetime.components.seconds)
        return try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT family_id, account_id, expires_at > now(), spent_at IS NOT NULL, revoked_at IS NOT NULL
                FROM refresh_tokens WHERE token_hash = \(hash) FOR UPDATE
                """,
                logger: logger
            )
            var found: (family: UUID, account: UUID, live: Bool, spent: Bool, revoked: Bool)?
            for try await row in rows.decode((UUID, UUID, Bool, Bool, Bool).self) {
                found = (row.0, row.1, row.2, row.3, row.4)
            }
            guard let found, !found.revoked else { return .invalid }
            if found.spent {
                try await connection.query(
                    "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = \(found.family) AND revoked_at IS NULL",
                    logger: logger
                )
                return .reused
            }
            guard found.live else { return .invalid }
            try await connection.query("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = \(hash)", logger: logger)
            try await connection.query(
                """
                INSERT INTO refresh_tokens (token_hash, family_id, account_id, expires_at)
                VALUES (\(Self.hash(successor)), \(found.family), \(found.account), now() + make_interval(secs => \(seconds)))
                """,
                logger: logger
            )
            return .rotated(account: found.account, successor: successor)
        }
    }

    /// Revokes the family of `token` (logout); unknown tokens are ignored.
    func revokeFamily(of token: String, logger: Logger) async throws {
        try await self.database.client.query(
            """
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = \(Self.hash(token)))
              AND revoked_at IS NULL
            """,
            logger: logger
        )
    }

    /// 256 random bits, base64url.
    static func newToken() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
