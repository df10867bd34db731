import Contracts
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

/// What login needs of an account.
struct Credentials: Sendable {
    var id: UUID
    var passwordHash: String
    var roles: [String]
}

/// Reads and writes `accounts`; a new account's `user.registered` event goes to the outbox in
/// the same transaction, so no account is ever left without its profile.
struct AccountRepository: Sendable {
    let database: Database

    /// Inserts an account and its `user.registered` event; `nil` when the email is taken.
    func create(
        email: String,
        name: String,
        passwordHash: String,
        roles: [String],
        propagation: PropagationHeaders? = nil,
        logger: Logger
    ) async throws -> Account? {
        let id = UUID()
        let event = UserRegistered(userId: id, email: email, name: name, registeredAt: Date())
        return try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO accounts (id, email, name, password_hash, roles, created_at)
                VALUES (\(id), \(email), \(name), \(passwordHash), \(roles), \(event.registeredAt))
                ON CONFLICT (email) DO NOTHING
                RETURNING id
                """,
                logger: logger
            )
            var inserted = false
            for try await _ in rows.decode(UUID.self) { inserted = true }
            guard inserted else { return nil }
            try await OutboxRelay.enqueue(
                type: UserRegistered.type,
                subject: id.uuidString,
                payload: event,
                correlationId: propagation?.requestID,
                on: connection,
                logger: logger
            )
            return Account(id: id, email: email, name: name)
        }
    }

    /// Whether an account with this email exists.
    func exists(email: String, logger: Logger) async throws -> Bool {
        let rows = try await self.database.client.query("SELECT 1 FROM accounts WHERE email = \(email)", logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    /// The credentials of the account with this (normalised) email.
    func credentials(email: String, logger: Logger) async throws -> Credentials? {
        let rows = try await self.database.client.query(
            "SELECT id, password_hash, roles FROM accounts WHERE email = \(email)",
            logger: logger
        )
        for try await (id, hash, roles) in rows.decode((UUID, String, [String]).self) {
            return Credentials(id: id, passwordHash: hash, roles: roles)
        }
        return nil
    }

    /// What `user.registered` said about an account, read back (for a profile that is asked for
    /// before the event arrived); `nil` when there is no such account.
    func registration(of id: UUID, logger: Logger) async throws -> UserRegistered? {
        let rows = try await self.database.client.query("SELECT id, email, name, created_at FROM accounts WHERE id = \(id)", logger: logger)
        for try await (id, email, name, createdAt) in rows.decode((UUID, String, String, Date).self) {
            return UserRegistered(userId: id, email: email, name: name, registeredAt: createdAt)
        }
        return nil
    }

    /// The roles of an account, `nil` when it no longer exists.
    func roles(of id: UUID, logger: Logger) async throws -> [String]? {
        let rows = try await self.database.client.query("SELECT roles FROM accounts WHERE id = \(id)", logger: logger)
        for try await roles in rows.decode([String].self) { return roles }
        return nil
    }
}
