import Foundation
import Logging
import NIOCore

/// Obtains and caches this service's tokens (client credentials) for calls to other services'
/// `/internal` endpoints: one token per audience (the service called), since a token is good
/// only at the service it names. A token is renewed at 80 % of its lifetime, so it never
/// expires in flight; concurrent callers for one audience share one fetch.
public actor ServiceTokenSource {
    /// Fetches a fresh token for an audience, and its lifetime in seconds.
    public typealias Fetch = @Sendable (_ audience: String, Logger) async throws -> (token: String, expiresIn: Int)

    struct Cached {
        var token: String
        var renewAt: ContinuousClock.Instant
    }

    let fetch: Fetch
    let time: TimeSource
    private var cached: [String: Cached] = [:]
    private var inFlight: [String: Task<(token: String, expiresIn: Int), any Error>] = [:]

    public init(time: TimeSource = .continuous, fetch: @escaping Fetch) {
        self.time = time
        self.fetch = fetch
    }

    /// A token for calling `audience`, valid for a while longer: the cached one, or a fresh one.
    public func token(for audience: String, logger: Logger) async throws -> String {
        if let cached = self.cached[audience], self.time.now < cached.renewAt { return cached.token }
        if let inFlight = self.inFlight[audience] { return try await inFlight.value.token }
        let fetch = self.fetch
        let task = Task { try await fetch(audience, logger) }
        self.inFlight[audience] = task
        defer { self.inFlight[audience] = nil }
        let (token, expiresIn) = try await task.value
        // Renew at 80 % of the lifetime.
        let renewAt = self.time.now + .milliseconds(Int64(min(max(expiresIn, 0), 86_400)) * 800)
        self.cached[audience] = Cached(token: token, renewAt: renewAt)
        return token
    }

    /// Forgets the cached token for `audience` (after that service rejected it).
    public func invalidate(audience: String) {
        self.cached[audience] = nil
    }

    /// Tokens from auth's `POST /internal/token`, authenticated with HTTP Basic client credentials.
    public static func remote(clientID: String, clientSecret: String, client: ServiceClient, time: TimeSource = .continuous) -> ServiceTokenSource {
        let credentials = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        return ServiceTokenSource(time: time) { audience, logger in
            let request = try JSONEncoder().encode(ServiceTokenRequest(audience: audience))
            let (_, body) = try await client.send(
                .POST,
                "/internal/token",
                to: "auth",
                body: ByteBuffer(bytes: request),
                headers: ["Authorization": "Basic \(credentials)"],
                propagating: nil,
                timeout: .seconds(3),
                logger: logger
            )
            let grant = try JSONDecoder().decode(ServiceTokenGrant.self, from: Data(buffer: body))
            return (grant.accessToken, grant.expiresIn)
        }
    }
}

/// The body of a client-credentials request to auth's token endpoint: the token is for
/// `audience`, the one service the caller means to call with it.
public struct ServiceTokenRequest: Codable, Sendable, BoundedInput {
    /// The longest audience (a service's name) auth reads.
    public static let maxAudienceLength = 64
    /// The longest grant type auth reads (the only one is `client_credentials`).
    public static let maxGrantTypeLength = 32

    public var grantType: String
    public var audience: String

    public init(audience: String) {
        self.grantType = "client_credentials"
        self.audience = audience
    }

    public func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.grantType, "grantType", max: Self.maxGrantTypeLength)
        bounds.string(self.audience, "audience", max: Self.maxAudienceLength)
    }
}

/// The answer of auth's token endpoint for client credentials.
public struct ServiceTokenGrant: Codable, Sendable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    /// The scopes the token carries, space-separated.
    public var scope: String?

    public init(accessToken: String, expiresIn: Int, scope: String? = nil) {
        self.accessToken = accessToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
        self.scope = scope
    }
}
