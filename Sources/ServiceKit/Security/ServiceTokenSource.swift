import Foundation
import Logging
import NIOCore
import Synchronization

/// Obtains and caches this service's tokens (client credentials) for calls to other services'
/// `/internal` endpoints: one token per audience (the service called), since a token is good
/// only at the service it names. A token is renewed at 80 % of its lifetime, so it never
/// expires in flight; concurrent callers for one audience share one fetch.
///
/// A cached token is answered under a lock, without an actor hop: every internal call and
/// every request the gateway forwards asks for one.
public final class ServiceTokenSource: Sendable {
    /// Fetches a fresh token for an audience, and its lifetime in seconds.
    public typealias Fetch = @Sendable (_ audience: String, Logger) async throws -> (token: String, expiresIn: Int)

    private typealias Fetching = Task<String, any Error>

    private struct Cached {
        var token: String
        var renewAt: ContinuousClock.Instant
    }

    private struct State {
        var cached: [String: Cached] = [:]
        var inFlight: [String: Fetching] = [:]
    }

    private enum Lookup {
        case cached(String)
        case fetching(Fetching)
    }

    let fetch: Fetch
    let time: TimeSource
    private let state = Mutex(State())

    public init(time: TimeSource = .continuous, fetch: @escaping Fetch) {
        self.time = time
        self.fetch = fetch
    }

    /// A token for calling `audience`, valid for a while longer: the cached one, or a fresh one.
    public func token(for audience: String, logger: Logger) async throws -> String {
        let now = self.time.now
        let lookup = self.state.withLock { state -> Lookup in
            if let cached = state.cached[audience], now < cached.renewAt { return .cached(cached.token) }
            if let inFlight = state.inFlight[audience] { return .fetching(inFlight) }
            // The fetch records its own outcome, so a caller that is cancelled while waiting
            // leaves neither a stale in-flight entry nor a lost token behind.
            let fetching = Task { try await self.fetchAndCache(audience, logger: logger) }
            state.inFlight[audience] = fetching
            return .fetching(fetching)
        }
        switch lookup {
        case .cached(let token): return token
        case .fetching(let fetching): return try await fetching.value
        }
    }

    /// Forgets the cached token for `audience` (after that service rejected it).
    public func invalidate(audience: String) {
        self.state.withLock { _ = $0.cached.removeValue(forKey: audience) }
    }

    private func fetchAndCache(_ audience: String, logger: Logger) async throws -> String {
        do {
            let (token, expiresIn) = try await self.fetch(audience, logger)
            // Renew at 80 % of the lifetime.
            let renewAt = self.time.now + .milliseconds(Int64(min(max(expiresIn, 0), 86_400)) * 800)
            self.state.withLock { state in
                state.cached[audience] = Cached(token: token, renewAt: renewAt)
                state.inFlight[audience] = nil
            }
            return token
        } catch {
            self.state.withLock { _ = $0.inFlight.removeValue(forKey: audience) }
            throw error
        }
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
