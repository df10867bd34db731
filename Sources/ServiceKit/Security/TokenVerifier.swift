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

/// Verifies ES256 access tokens against `auth`'s published keys.
///
/// Keys are cached; a token signed with a key id the cache does not know triggers a refetch,
/// at most once per `minimumRefreshInterval` after a successful fetch, so a forged `kid` cannot
/// make a service hammer auth (failed fetches are fenced by the service client's breaker).
public actor TokenVerifier {
    let policy: TokenPolicy
    let source: any KeySetSource
    let time: TimeSource
    private var keys = JWTKeyCollection()
    private var knownKeyIDs: Set<String> = []
    private var lastRefresh: ContinuousClock.Instant?

    public init(policy: TokenPolicy, source: any KeySetSource, time: TimeSource = .continuous) {
        self.policy = policy
        self.source = source
        self.time = time
    }

    /// The identity of a valid token; throws ``TokenRejection`` for an invalid one and
    /// ``KeySetUnavailable`` when its key cannot be looked up.
    public func verify(_ token: String, logger: Logger) async throws -> Identity {
        let header = try Self.header(of: token)
        // Only ES256: this refuses `none`, and HS256 tokens that use the public key as a secret.
        guard header.alg == "ES256" else { throw TokenRejection(reason: "algorithm \(header.alg ?? "none") is not accepted") }
        guard let kid = header.kid, !kid.isEmpty else { throw TokenRejection(reason: "no key id") }
        if !self.knownKeyIDs.contains(kid) {
            try await self.refreshIfAllowed(logger: logger)
            guard self.knownKeyIDs.contains(kid) else { throw TokenRejection(reason: "unknown key id") }
        }
        let claims: AccessTokenClaims
        do {
            claims = try await self.keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw TokenRejection(reason: "\(error)")
        }
        guard claims.iss.value == self.policy.issuer else { throw TokenRejection(reason: "wrong issuer") }
        guard claims.aud.value.contains(self.policy.audience) else { throw TokenRejection(reason: "wrong audience") }
        let scopes = Set((claims.scope ?? "").split(separator: " ").map(String.init))
        return Identity(subject: claims.sub.value, roles: Set(claims.roles), scopes: scopes, tokenID: claims.jti.value)
    }

    /// Fetches the key set unless a fetch succeeded less than `keySetRefreshInterval` ago.
    public func refreshIfAllowed(logger: Logger) async throws {
        let now = self.time.now
        if let lastRefresh, now - lastRefresh < self.policy.keySetRefreshInterval { return }
        let json: String
        do {
            json = try await self.source.fetchKeySet(logger: logger)
        } catch {
            logger.warning("could not fetch the key set", metadata: ["error": "\(error)"])
            throw KeySetUnavailable(reason: "\(error)")
        }
        do {
            let document = try JSONDecoder().decode(KeySetDocument.self, from: Data(json.utf8))
            let fresh = JWTKeyCollection()
            if !document.keys.isEmpty { try await fresh.add(jwksJSON: json) }
            self.keys = fresh
            self.knownKeyIDs = Set(document.keys.compactMap(\.kid))
            self.lastRefresh = now
            logger.debug("key set refreshed", metadata: ["jwks.keys": "\(self.knownKeyIDs.count)"])
        } catch {
            logger.warning("the key set is malformed", metadata: ["error": "\(error)"])
            throw KeySetUnavailable(reason: "malformed key set")
        }
    }

    private struct KeySetDocument: Decodable {
        struct Key: Decodable { var kid: String? }
        var keys: [Key]
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private static func header(of token: String) throws(TokenRejection) -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 8192 else { throw TokenRejection(reason: "malformed") }
        guard let data = Base64URL.decode(parts[0]), let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw TokenRejection(reason: "malformed header")
        }
        return header
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
