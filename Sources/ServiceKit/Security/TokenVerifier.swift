import Contracts
import Crypto
import Foundation
import JWTKit
import Logging

/// Where a verifier gets the JSON Web Key Set of `auth`.
public protocol KeySetSource: Sendable {
    /// The JWKS document (`{"keys":[...]}`).
    func fetchKeySet(logger: Logger) async throws -> String
}

/// Why a token was refused. The reason is for logs; clients only learn that the token is invalid.
public struct TokenRejection: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "token rejected: \(self.reason)" }
}

/// The key set could not be fetched, so a token signed with a key not yet known cannot be
/// judged either way: a 503, not a 401.
public struct KeySetUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "key set unavailable: \(self.reason)" }
}

/// Verifies ES256 access tokens against `auth`'s published keys, on the request path without
/// actor hops: the keys are an immutable snapshot (``KeySetCache``) and the signature is checked
/// synchronously; only a fetch of the key set is awaited.
///
/// A token is either a user's (its audience is the API's, ``TokenPolicy/audience``: it carries
/// roles, never scopes) or a service token addressed to this service (its audience is
/// `service`: it carries scopes, never roles). A token for any other audience, such as a
/// service token meant for another service, is invalid here (401).
public final class TokenVerifier: Sendable {
    let policy: TokenPolicy
    /// This service's name, the audience of the service tokens it accepts; `nil` accepts none.
    let service: String?
    /// The keys that verify tokens.
    public let keys: KeySetCache
    /// Tokens already verified, until they expire.
    let verified: VerifiedTokenCache

    public init(policy: TokenPolicy, service: String? = nil, source: any KeySetSource, time: TimeSource = .continuous) {
        self.policy = policy
        self.service = service
        self.keys = KeySetCache(source: source, policy: policy, time: time)
        self.verified = VerifiedTokenCache()
    }

    /// The identity of a valid token; throws ``TokenRejection`` for an invalid one and
    /// ``KeySetUnavailable`` when its key cannot be looked up.
    public func verify(_ token: String, logger: Logger) async throws -> Identity {
        let now = Date()
        if let remembered = self.verified.entry(for: token, now: now) {
            // Still the key set's key for this id (a lookup in memory): the signature holds.
            let key = try await self.keys.key(remembered.kid, logger: logger)
            if key.rawRepresentation == remembered.key { return remembered.identity }
        }
        let parts = try Self.parts(of: token)
        // Only ES256: this refuses `none`, and HS256 tokens that use the public key as a secret.
        guard parts.header.alg == "ES256" else { throw TokenRejection(reason: "algorithm \(parts.header.alg ?? "none") is not accepted") }
        guard let kid = parts.header.kid, !kid.isEmpty else { throw TokenRejection(reason: "no key id") }
        let key = try await self.keys.key(kid, logger: logger)
        let (identity, expiresAt) = try self.identity(of: parts, key: key)
        self.verified.remember(token, .init(identity: identity, kid: kid, key: key.rawRepresentation, expiresAt: expiresAt), now: now)
        return identity
    }

    /// Checks the signature and the claims; synchronous. The identity and the token's expiry.
    private func identity(of parts: Parts, key: P256.Signing.PublicKey) throws(TokenRejection) -> (Identity, Date) {
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: parts.signature),
            key.isValidSignature(signature, for: parts.signingInput)
        else { throw TokenRejection(reason: "bad signature") }
        let claims: AccessTokenClaims
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            claims = try decoder.decode(AccessTokenClaims.self, from: parts.claims)
            try claims.exp.verifyNotExpired()
        } catch {
            throw TokenRejection(reason: "\(error)")
        }
        guard claims.iss.value == self.policy.issuer else { throw TokenRejection(reason: "wrong issuer") }
        let expiresAt = claims.exp.value
        if claims.aud.value.contains(self.policy.audience) {
            return (Identity(user: claims.sub.value, roles: Set(claims.roles), tokenID: claims.jti.value), expiresAt)
        }
        if let service = self.service, claims.aud.value.contains(service) {
            let scopes = (claims.scope ?? "").split(separator: " ").map { ServiceScope(rawValue: String($0)) }
            return (Identity(service: claims.sub.value, scopes: Set(scopes), tokenID: claims.jti.value), expiresAt)
        }
        throw TokenRejection(reason: "wrong audience")
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private struct Parts {
        var header: Header
        /// `base64url(header).base64url(claims)`, the bytes the signature covers.
        var signingInput: Data
        var claims: Data
        var signature: Data
    }

    private static func parts(of token: String) throws(TokenRejection) -> Parts {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 8192 else { throw TokenRejection(reason: "malformed") }
        guard let headerData = Base64URL.decode(parts[0]), let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw TokenRejection(reason: "malformed header")
        }
        guard let claims = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw TokenRejection(reason: "malformed")
        }
        return Parts(header: header, signingInput: Data("\(parts[0]).\(parts[1])".utf8), claims: claims, signature: signature)
    }
}

/// Fetches the key set from `auth`'s `GET /v1/auth/jwks` through the service client.
public struct RemoteKeySetSource: KeySetSource {
    let client: ServiceClient

    public init(client: ServiceClient) {
        self.client = client
    }

    public func fetchKeySet(logger: Logger) async throws -> String {
        let (_, body) = try await self.client.send(.GET, "/v1/auth/jwks", to: "auth", propagating: nil, timeout: .seconds(3), logger: logger)
        return String(buffer: body)
    }
}
