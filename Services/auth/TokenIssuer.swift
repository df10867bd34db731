import Foundation
import Logging
import ServiceKit

/// Issues access tokens: for accounts (`sub` = account id, `roles`) and for services
/// (`sub` = client id, `scope: internal`).
struct TokenIssuer: Sendable {
    let keys: SigningKeyRing
    let policy: TokenPolicy

    /// A signed token and its lifetime in seconds.
    struct Issued: Sendable {
        var token: String
        var expiresIn: Int
    }

    func issue(account: UUID, roles: [String], logger: Logger) async throws -> Issued {
        try await self.issue(subject: account.uuidString, roles: roles, scope: nil, lifetime: self.policy.accessTokenLifetime, logger: logger)
    }

    func issue(service clientID: String, logger: Logger) async throws -> Issued {
        try await self.issue(subject: clientID, roles: [], scope: Scope.internal, lifetime: self.policy.serviceTokenLifetime, logger: logger)
    }

    private func issue(subject: String, roles: [String], scope: String?, lifetime: Duration, logger: Logger) async throws -> Issued {
        // Whole seconds: NumericDate may be fractional, but many JWT libraries expect integers.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let seconds = Int(lifetime.components.seconds)
        let claims = AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: self.policy.issuer,
            audience: self.policy.audience,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(seconds)),
            tokenID: UUIDv4.string(),
            scope: scope
        )
        let signer = try await self.keys.currentSigner(logger: logger)
        return Issued(token: try await signer.sign(claims), expiresIn: seconds)
    }
}
