import Foundation
import Synchronization

/// Service tokens from auth's client-credentials grant, as a service obtains them.
enum ServiceToken {
    /// A token for `client` to call `audience` (auth's `IssueToken` with the client's real
    /// secret); throws unless auth grants it.
    static func obtain(_ stack: Stack, as client: String, for audience: String) async throws -> String {
        do {
            return try await InternalRPC.issueToken(stack, as: client, for: audience).accessToken
        } catch {
            throw HarnessError("IssueToken as \(client) for \(audience): expected a token, got \(error)")
        }
    }
}

/// What the gateway adds to a request it forwards, for tests that call a service directly but
/// need it to count the request for a chosen client address: `X-Client-Address` beside the
/// gateway's real token for that service (obtained with the gateway's client credentials).
enum GatewayVouch {
    /// Tokens already obtained, by audience, with when to fetch a new one (well inside the
    /// 300 s lifetime of a service token).
    private static let cache = Mutex<[String: (token: String, renewAt: ContinuousClock.Instant)]>([:])

    /// Headers for a request to `service` on behalf of a client at `clientAddress`.
    static func headers(_ stack: Stack, to service: String, clientAddress: String) async throws -> [(String, String)] {
        let now = ContinuousClock.now
        let cached = Self.cache.withLock { $0[service] }
        let token: String
        if let cached, now < cached.renewAt {
            token = cached.token
        } else {
            token = try await ServiceToken.obtain(stack, as: "api-gateway", for: service)
            Self.cache.withLock { $0[service] = (token, now + .seconds(120)) }
        }
        return [("X-Client-Address", clientAddress), ("X-Gateway-Token", token)]
    }
}
