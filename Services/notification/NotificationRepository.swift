import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes `notifications`: one per event and user.
struct NotificationRepository: Sendable {
    let database: Database

    /// Creates the notification inside the consumer's transaction; `nil` when this event
    /// already notified this user (nothing is written then).
    func insert(_ draft: NotificationDraft, on connection: PostgresConnection, logger: Logger) async throws -> UUID? {
        let rows = try await connection.query(
            """
            INSERT INTO notifications (id, user_id, event_id, type, subject, body)
            VALUES (\(UUID()), \(draft.userID), \(draft.eventID), \(draft.type), \(draft.subject), \(draft.body))
            ON CONFLICT (event_id, user_id) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// A page of the owner's notifications, newest first, after `cursor`.
    func list(owner: UUID, after cursor: NotificationCursor?, limit: Int, logger: Logger) async throws -> Page<NotificationView> {
        // Without a cursor the position is ignored; with one, rows strictly after it in
        // (created_at DESC, id ASC) order, the order of the index notifications_by_user.
        let position = cursor ?? NotificationCursor(createdAtMicros: 0, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        let rows = try await self.database.client.query(
            """
            SELECT id, type, subject, body, created_at, read_at, (extract(epoch FROM created_at) * 1000000)::int8
            FROM notifications
            WHERE user_id = \(owner) AND (
                \(cursor == nil)
                OR created_at < 'epoch'::timestamptz + \(position.createdAtMicros) * interval '1 microsecond'
                OR (created_at = 'epoch'::timestamptz + \(position.createdAtMicros) * interval '1 microsecond' AND id > \(position.id))
            )
            ORDER BY created_at DESC, id
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var items: [NotificationView] = []
        var positions: [NotificationCursor] = []
        for try await row in rows.decode((UUID, String, String, String, Date, Date?, Int64).self) {
            items.append(NotificationView(id: row.0, type: row.1, subject: row.2, body: row.3, createdAt: row.4, readAt: row.5))
            positions.append(NotificationCursor(createdAtMicros: row.6, id: row.0))
        }
        var next: String?
        if items.count > limit {
            items.removeLast()
            next = Cursor.encode(positions[limit - 1])
        }
        return Page(items: items, nextCursor: next)
    }

    /// Marks a notification read (keeping the first read time); `nil` when the owner has none
    /// with this id.
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
