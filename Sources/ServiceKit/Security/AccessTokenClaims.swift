import Foundation
import JWTKit

/// The claims of an access token issued by `auth` (ES256).
///
/// User tokens carry the account id in `sub` and its `roles`; service tokens (client
/// credentials) carry the client id in `sub` and `scope: "internal"`.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var roles: [String]
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    /// Space-separated scopes; `internal` for service tokens.
    public var scope: String?

    public init(
        subject: String,
        roles: [String],
        issuer: String,
        audience: String,
        issuedAt: Date,
        expiresAt: Date,
        tokenID: String,
        scope: String? = nil
    ) {
        self.sub = SubjectClaim(value: subject)
        self.roles = roles
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: [audience])
        self.exp = ExpirationClaim(value: expiresAt)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.jti = IDClaim(value: tokenID)
        self.scope = scope
    }

    /// Checks expiry; issuer and audience are checked by ``TokenVerifier`` against its policy.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}
