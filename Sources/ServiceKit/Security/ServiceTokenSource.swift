import Foundation
import InternalAPI
import Logging
import Synchronization

/// Obtains and caches this service's tokens (client credentials) for calls to other services'
/// internal gRPC API: one token per audience (the service called), since a token is good
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

    /// Tokens from auth's `shop.auth.v1.ServiceTokens/IssueToken`, authenticated with the
    /// client credentials as `authorization: Basic` metadata.
    public static func remote(clientID: String, clientSecret: String, client: RPCClient, time: TimeSource = .continuous) -> ServiceTokenSource {
        let credentials = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        return ServiceTokenSource(time: time) { audience, logger in
            let grant = try await client.call(
                Shop_Auth_V1_ServiceTokens.Method.IssueToken.descriptor,
                of: "auth",
                idempotent: true,
                metadata: [RPCMetadataKey.authorization: "Basic \(credentials)"],
                propagating: nil,
                timeout: .seconds(3),
                logger: logger
            ) { client, metadata, options in
                try await Shop_Auth_V1_ServiceTokens.Client(wrapping: client).issueToken(
                    .with { $0.audience = audience },
                    metadata: metadata,
                    options: options
                )
            }
            return (grant.accessToken, Int(clamping: grant.expiresInSeconds))
        }
    }
}
