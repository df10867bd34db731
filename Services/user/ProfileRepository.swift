import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A postal address of a profile.
struct Address: Codable, Sendable, Equatable {
    var label: String
    var line1: String
    var line2: String?
    var city: String
    var postalCode: String
    var country: String
}

/// A profile as the public API shows it.
struct Profile: Codable, Sendable, Equatable {
    var id: UUID
    var email: String
    var name: String
    var phone: String?
    var addresses: [Address]
    var createdAt: Date
}

/// Reads `profiles`. Phone and addresses are stored encrypted; decrypting them arrives with
/// the identity issue, so until then a profile shows none.
struct ProfileRepository: Sendable {
    let database: Database

    func find(id: UUID, logger: Logger) async throws -> Profile? {
        let rows = try await self.database.client.query(
            "SELECT id, email, name, created_at FROM profiles WHERE id = \(id)",
            logger: logger
        )
        for try await (id, email, name, createdAt) in rows.decode((UUID, String, String, Date).self) {
            return Profile(id: id, email: email, name: name, phone: nil, addresses: [], createdAt: createdAt)
        }
        return nil
    }
}
