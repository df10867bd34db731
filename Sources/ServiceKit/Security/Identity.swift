import Foundation

/// Who is calling, from a verified access token.
public struct Identity: Sendable, Equatable {
    /// The token's subject: an account id for users, a client id for services.
    public var subject: String
    public var roles: Set<String>
    public var scopes: Set<String>
    /// The token's `jti`.
    public var tokenID: String

    public init(subject: String, roles: Set<String>, scopes: Set<String>, tokenID: String) {
        self.subject = subject
        self.roles = roles
        self.scopes = scopes
        self.tokenID = tokenID
    }

    /// The account id of a user token.
    public var userID: UUID? { self.isService ? nil : UUID(uuidString: self.subject) }
    public var isAdmin: Bool { self.roles.contains(Role.admin) }
    /// A service token (client credentials, scope `internal`).
    public var isService: Bool { self.scopes.contains(Scope.internal) }
}

/// Role names.
public enum Role {
    public static let customer = "customer"
    public static let admin = "admin"
}

/// Scope names.
public enum Scope {
    public static let `internal` = "internal"
}
