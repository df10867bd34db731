import Contracts
import Foundation
import Logging
import ServiceKit

/// Issues access tokens: for accounts (`sub` = account id, `roles`, the API's audience) and for
/// services (`sub` = client id, `aud` = the one callee, `scope` = what the grant table allows).
struct TokenIssuer: Sendable {
    let keys: SigningKeyRing
    let policy: TokenPolicy

    /// A signed token and its lifetime in seconds.
    struct Issued: Sendable {
        var token: String
        var expiresIn: Int
    }

    func issue(account: UUID, roles: [String], logger: Logger) async throws -> Issued {
        try await self.issue(
            subject: account.uuidString,
            roles: roles,
            audience: self.policy.audience,
            scope: nil,
            lifetime: self.policy.accessTokenLifetime,
            logger: logger
        )
    }

    /// A token for `clientID` to call `audience` with `scopes` (from the grant table).
    func issue(service clientID: String, audience: String, scopes: [ServiceScope], logger: Logger) async throws -> Issued {
        try await self.issue(
            subject: clientID,
            roles: [],
            audience: audience,
            scope: scopes.map(\.rawValue).sorted().joined(separator: " "),
            lifetime: self.policy.serviceTokenLifetime,
            logger: logger
        )
    }

    private func issue(
        subject: String,
        roles: [String],
        audience: String,
        scope: String?,
        lifetime: Duration,
        logger: Logger
    ) async throws -> Issued {
        // Whole seconds: NumericDate may be fractional, but many JWT libraries expect integers.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let seconds = Int(lifetime.components.seconds)
        let claims = AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: self.policy.issuer,
            audience: audience,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(seconds)),
            tokenID: UUIDv4.string(),
            scope: scope
        )
        let signer = try await self.keys.currentSigner(logger: logger)
        return Issued(token: try await signer.sign(claims), expiresIn: seconds)
    }
}
