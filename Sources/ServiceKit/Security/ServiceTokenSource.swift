import Foundation
import Logging
import NIOCore

/// Obtains and caches this service's token (client credentials, scope `internal`) for calls
/// to other services' `/internal` endpoints. The token is renewed at 80 % of its lifetime, so
/// it never expires in flight; concurrent callers share one fetch.
public actor ServiceTokenSource {
    /// Fetches a fresh token and its lifetime in seconds.
    public typealias Fetch = @Sendable (Logger) async throws -> (token: String, expiresIn: Int)

    struct Cached {
        var token: String
        var renewAt: ContinuousClock.Instant
    }

    let fetch: Fetch
    let time: TimeSource
    private var cached: Cached?
    private var inFlight: Task<(token: String, expiresIn: Int), any Error>?

    public init(time: TimeSource = .continuous, fetch: @escaping Fetch) {
        self.time = time
        self.fetch = fetch
    }

    /// A token valid for a while longer: the cached one, or a fresh one.
    public func token(logger: Logger) async throws -> String {
        if let cached, self.time.now < cached.renewAt { return cached.token }
        if let inFlight { return try await inFlight.value.token }
        let fetch = self.fetch
        let task = Task { try await fetch(logger) }
        self.inFlight = task
        defer { self.inFlight = nil }
        let (token, expiresIn) = try await task.value
        // Renew at 80 % of the lifetime.
        self.cached = Cached(token: token, renewAt: self.time.now + .milliseconds(Int64(max(expiresIn, 0)) * 800))
        return token
    }

    /// Forgets the cached token (after a callee rejected it).
    public func invalidate() {
        self.cached = nil
    }

    /// Tokens from auth's `POST /internal/token`, authenticated with HTTP Basic client credentials.
    public static func remote(clientID: String, clientSecret: String, client: ServiceClient, time: TimeSource = .continuous) -> ServiceTokenSource {
        let credentials = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        return ServiceTokenSource(time: time) { logger in
            let (_, body) = try await client.send(
                .POST,
                "/internal/token",
                to: "auth",
                body: ByteBuffer(string: #"{"grantType":"client_credentials"}"#),
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

/// The answer of auth's token endpoint for client credentials.
public struct ServiceTokenGrant: Codable, Sendable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int

    public init(accessToken: String, expiresIn: Int) {
        self.accessToken = accessToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
    }
}
