import Foundation
import Synchronization

/// Service tokens from auth's client-credentials grant, as a service obtains them.
enum ServiceToken {
    /// `POST /internal/token` on auth as `client` (one of the stack's seven clients, with its
    /// real secret) for a token to call `audience`; whatever auth answers.
    static func request(_ stack: Stack, as client: String, for audience: String) async throws -> HTTPResult {
        let basic = Data("\(client):\(Stack.serviceClientSecret(for: client))".utf8).base64EncodedString()
        return try await stack.http.send(
            .POST,
            try stack.url("/internal/token", on: "auth"),
            json: try canonicalJSON(["grantType": "client_credentials", "audience": audience]),
            headers: [("Authorization", "Basic \(basic)")]
        )
    }

    /// A token for `client` to call `audience`; throws unless auth grants it.
    static func obtain(_ stack: Stack, as client: String, for audience: String) async throws -> String {
        let response = try await request(stack, as: client, for: audience)
        guard response.status == 200, let token = (try? response.jsonObject())?["accessToken"] as? String else {
            throw HarnessError(
                "POST /internal/token as \(client) for \(audience): expected 200 with a token, got \(response.status): \(response.text.prefix(300))"
            )
        }
        return token
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
