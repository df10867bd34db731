import Foundation
import JWTKit

/// The claims of an access token issued by `auth` (ES256).
///
/// User tokens carry the account id in `sub`, its `roles`, and the API's audience in `aud`.
/// Service tokens (client credentials) carry the calling service's client id in `sub`, the
/// one service they may call in `aud`, and what they may do there in `scope`.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var roles: [String]
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    /// Space-separated ``ServiceScope`` names; service tokens only.
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
