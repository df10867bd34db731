import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// An account as registration returns it.
struct Account: Codable, Sendable, Equatable {
    var id: UUID
    var email: String
    var name: String
}

/// Reads and writes `accounts` and `signing_keys`.
struct AccountRepository: Sendable {
    let database: Database

    /// Inserts an account; `nil` when the email is taken.
    func create(email: String, name: String, passwordHash: String, roles: [String], logger: Logger) async throws -> Account? {
        let id = UUID()
        let rows = try await self.database.client.query(
            """
            INSERT INTO accounts (id, email, name, password_hash, roles)
            VALUES (\(id), \(email), \(name), \(passwordHash), \(roles))
            ON CONFLICT (email) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return Account(id: id, email: email, name: name) }
        return nil
    }

    /// Whether an account with this email exists.
    func exists(email: String, logger: Logger) async throws -> Bool {
        let rows = try await self.database.client.query("SELECT 1 FROM accounts WHERE email = \(email)", logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    /// The public JWKs of keys that still verify tokens.
    func publicKeys(logger: Logger) async throws -> [String] {
        let rows = try await self.database.client.query(
            "SELECT public_jwk::text FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at",
            logger: logger
        )
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }
}
