import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes `profiles`. Phone and addresses are sealed with AES-GCM (``FieldCipher``);
/// the ciphertext carries its key id, so keys rotate without rewriting old rows.
struct ProfileRepository: Sendable {
    let database: Database
    let cipher: FieldCipher

    private struct Row {
        var id: UUID
        var email: String
        var name: String
        var phone: Data?
        var addresses: Data?
        var createdAt: Date
    }

    /// Creates the profile of a new account; an existing one is left as it is (idempotent).
    /// Returns whether it was created.
    func create(_ event: UserRegistered, logger: Logger) async throws -> Bool {
        let rows = try await self.database.client.query(
            """
            INSERT INTO profiles (id, email, name, created_at)
            VALUES (\(event.userId), \(event.email), \(event.name), \(event.registeredAt))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    func find(id: UUID, logger: Logger) async throws -> Profile? {
        let rows = try await self.database.client.query(
            "SELECT id, email, name, phone_ciphertext, addresses_ciphertext, created_at FROM profiles WHERE id = \(id)",
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, Data?, Data?, Date).self) {
            return try self.profile(Row(id: row.0, email: row.1, name: row.2, phone: row.3, addresses: row.4, createdAt: row.5))
        }
        return nil
    }

    /// Applies `changes` under a row lock; `nil` when there is no such profile.
    func update(id: UUID, changes: ProfileChanges, propagation: PropagationHeaders? = nil, logger: Logger) async throws -> Profile? {
        try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT id, email, name, phone_ciphertext, addresses_ciphertext, created_at FROM profiles WHERE id = \(id) FOR UPDATE",
                logger: logger
            )
            var current: Profile?
            for try await row in rows.decode((UUID, String, String, Data?, Data?, Date).self) {
                current = try self.profile(Row(id: row.0, email: row.1, name: row.2, phone: row.3, addresses: row.4, createdAt: row.5))
            }
            guard var profile = current else { return nil }
            if let name = changes.name, name != profile.name {
                profile.name = name
                try await OutboxRelay.enqueue(
                    type: EventType.userUpdated,
                    subject: id.uuidString,
                    payload: UserUpdated(userId: id, name: name),
                    correlationId: propagation?.requestID,
                    on: connection,
                    logger: logger
                )
            }
            if let phone = changes.phone { profile.phone = phone }
            if let addresses = changes.addresses { profile.addresses = addresses }
            let phoneSealed = try profile.phone.map { try self.cipher.seal(Data($0.utf8)) }
            let addressesSealed = try self.cipher.seal(try WireJSON.encoder().encode(profile.addresses))
            try await connection.query(
                """
                UPDATE profiles SET name = \(profile.name), phone_ciphertext = \(phoneSealed),
                    addresses_ciphertext = \(addressesSealed), key_id = \(self.cipher.activeKeyID), updated_at = now()
                WHERE id = \(id)
                """,
                logger: logger
            )
            return profile
        }
    }

    /// A page of profiles, oldest first (admin listing).
    func list(after cursor: ProfileCursor?, limit: Int, logger: Logger) async throws -> Page<Profile> {
        // The cursor keeps created_at as integer microseconds (a Date round trip could lose one);
        // no cursor starts at the epoch.
        let position = cursor ?? ProfileCursor(createdAtMicros: 0, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        let rows = try await self.database.client.query(
            """
            SELECT id, email, name, phone_ciphertext, addresses_ciphertext, created_at,
                   (extract(epoch FROM created_at) * 1000000)::int8
            FROM profiles
            WHERE (created_at, id) > ('epoch'::timestamptz + \(position.createdAtMicros) * interval '1 microsecond', \(position.id))
            ORDER BY created_at, id LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var items: [Profile] = []
        var positions: [ProfileCursor] = []
        for try await row in rows.decode((UUID, String, String, Data?, Data?, Date, Int64).self) {
            items.append(try self.profile(Row(id: row.0, email: row.1, name: row.2, phone: row.3, addresses: row.4, createdAt: row.5)))
            positions.append(ProfileCursor(createdAtMicros: row.6, id: row.0))
        }
        var next: String?
        if items.count > limit {
            items.removeLast()
            next = Cursor.encode(positions[limit - 1])
        }
        return Page(items: items, nextCursor: next)
    }

    private func profile(_ row: Row) throws -> Profile {
        let phone = try row.phone.map { String(decoding: try self.cipher.open($0), as: UTF8.self) }
        let addresses = try row.addresses.map { try WireJSON.decoder().decode([Address].self, from: try self.cipher.open($0)) } ?? []
        return Profile(id: row.id, email: row.email, name: row.name, phone: phone, addresses: addresses, createdAt: row.createdAt)
    }
}

/// Where a profile page ends.
struct ProfileCursor: Codable, Sendable {
    var createdAtMicros: Int64
    var id: UUID
}
