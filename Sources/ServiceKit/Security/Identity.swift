import Contracts
import Foundation

/// Who is calling, from a verified access token.
public struct Identity: Sendable, Equatable {
    /// The token's subject: an account id for users, a client id (a service's name) for services.
    public var subject: String
    public var roles: Set<String>
    /// What a service token allows; always empty for a user's token.
    public var scopes: Set<ServiceScope>
    /// The token's `jti`.
    public var tokenID: String
    /// A service token addressed to this service (client credentials), not a user's token.
    public var isService: Bool

    /// A user's identity (`roles`, no scopes).
    public init(user subject: String, roles: Set<String>, tokenID: String) {
        self.subject = subject
        self.roles = roles
        self.scopes = []
        self.tokenID = tokenID
        self.isService = false
    }

    /// A calling service's identity (`scopes`, no roles).
    public init(service clientID: String, scopes: Set<ServiceScope>, tokenID: String) {
        self.subject = clientID
        self.roles = []
        self.scopes = scopes
        self.tokenID = tokenID
        self.isService = true
    }

    /// The account id of a user token.
    public var userID: UUID? { self.isService ? nil : UUID(uuidString: self.subject) }
    public var isAdmin: Bool { !self.isService && self.roles.contains(Role.admin) }
}

/// Role names.
public enum Role {
    public static let customer = "customer"
    public static let admin = "admin"
}
