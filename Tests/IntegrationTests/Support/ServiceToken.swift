import Foundation

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
