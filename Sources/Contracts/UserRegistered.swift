import Foundation

/// `user.registered` (version 1), produced by `auth` when an account is created; `user`
/// creates the profile from it and `notification` sends the welcome.
public struct UserRegistered: Codable, Sendable, Equatable {
    /// The event type name on the wire.
    public static let type = "user.registered"
    public static let version = 1
    /// The longest email an account may have, in Unicode code points (RFC 5321's path limit).
    public static let maximumEmailLength = 254
    /// The longest name an account may have, in Unicode code points.
    public static let maximumNameLength = 100

    public var userId: UUID
    /// Normalised (trimmed, lower-cased).
    public var email: String
    public var name: String
    public var registeredAt: Date

    public init(userId: UUID, email: String, name: String, registeredAt: Date) {
        self.userId = userId
        self.email = email
        self.name = name
        self.registeredAt = registeredAt
    }
}
