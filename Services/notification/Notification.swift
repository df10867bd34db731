import Foundation

/// A notification as the public API shows it.
struct NotificationView: Codable, Sendable, Equatable {
    var id: UUID
    /// The event type that caused it (`user.registered`, `order.confirmed`, …).
    var type: String
    var subject: String
    var body: String
    var createdAt: Date
    var readAt: Date?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.type, forKey: .type)
        try container.encode(self.subject, forKey: .subject)
        try container.encode(self.body, forKey: .body)
        try container.encode(self.createdAt, forKey: .createdAt)
        // `readAt` is always present, null while unread.
        try container.encode(self.readAt, forKey: .readAt)
    }
}

/// Where a page of a user's notifications ends (newest first).
struct NotificationCursor: Codable, Sendable, Equatable {
    /// `created_at` as integer microseconds since the epoch, exactly as stored (a `Date`
    /// round trip could lose a microsecond and skip or repeat a row).
    var createdAtMicros: Int64
    var id: UUID
}
