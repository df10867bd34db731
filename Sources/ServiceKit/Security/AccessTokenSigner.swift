import Foundation
import JWTKit

/// Signs access tokens (ES256) with a ``SigningKey``; the key's id goes in the `kid` header.
public struct AccessTokenSigner: Sendable {
    public let key: SigningKey
    private let keys: JWTKeyCollection

    public init(key: SigningKey) async throws {
        self.key = key
        self.keys = JWTKeyCollection()
        await self.keys.add(ecdsa: try ES256PrivateKey(backing: key.privateKey), kid: JWKIdentifier(string: key.kid))
    }

    /// The compact JWS of `claims`.
    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await self.keys.sign(claims, kid: JWKIdentifier(string: self.key.kid))
    }
}
