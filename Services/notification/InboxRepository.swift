import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A notification as the public API shows it.
struct NotificationView: Codable, Sendable, Equatable {
    var id: UUID
    var type: String
    var subject: String
    var body: String
    var createdAt: Date
    var readAt: Date?
}

/// Reads and updates `notifications`.
struct InboxRepository: Sendable {
    let database: Database

    /// Marks a notification read (keeping the first read time); `nil` when there is none.
    func markRead(id: UUID, owner: UUID, logger: Logger) async throws -> NotificationView? {
        let rows = try await self.database.client.query(
            """
            UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = \(id) AND user_id = \(owner)
            RETURNING id, type, subject, body, created_at, read_at
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, String, Date, Date?).self) {
            return NotificationView(id: row.0, type: row.1, subject: row.2, body: row.3, createdAt: row.4, readAt: row.5)
        }
        return nil
    }
}
