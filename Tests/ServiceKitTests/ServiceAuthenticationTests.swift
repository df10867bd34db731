import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceKit
import Testing

/// A key set served from memory.
private struct FixedKeySet: KeySetSource {
    let keys: [SigningKey]

    func fetchKeySet(logger: Logger) async throws -> String {
        "{\"keys\":[" + self.keys.map(\.publicJWK).joined(separator: ",") + "]}"
    }
}

/// Service-to-service authentication over real sockets: a live server plays auth (token
/// endpoint, JWKS) and a callee (an `/internal` route); the caller uses ServiceKit's client side.
struct ServiceAuthenticationTests {
    private static let policy = TokenPolicy(issuer: "test-issuer", audience: "test-audience")
    private static let secret = "order-secret-0123456789"

    private static func claims(subject: String, roles: [String], audience: String = Self.policy.audience, scope: String?) -> AccessTokenClaims {
        AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: Self.policy.issuer,
            audience: audience,
            issuedAt: Date(),
            expiresAt: Date().addingTimeInterval(60),
            tokenID: UUID().uuidString,
            scope: scope
        )
    }

    private static func application(key: SigningKey) async throws -> some ApplicationProtocol {
        let signer = try await AccessTokenSigner(key: key)
        // This server is "auth" in the caller's discovery, so service tokens for it name "auth".
        let verifier = TokenVerifier(policy: Self.policy, service: "auth", source: FixedKeySet(keys: [key]))
        let routes = ServiceRoutes(maxBodyBytes: 4096, verifier: verifier)
        routes.on(.post, "/internal/token", access: .ownCredentials) { request, context in
            let expected = "Basic " + Data("order:\(Self.secret)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { throw ProblemError.unauthorized("bad client credentials") }
            let body = try await request.decodeJSON(as: ServiceTokenRequest.self, context: context)
            let claims = Self.claims(subject: "order", roles: [], audience: body.audience, scope: ServiceScope.productsLookup.rawValue)
            return JSONResponse(ServiceTokenGrant(accessToken: try await signer.sign(claims), expiresIn: 60))
        }
        routes.get("/v1/auth/jwks") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"keys\":[\(key.publicJWK)]}")))
        }
        routes.post("/internal/whoami", scope: .productsLookup) { request, context in
            let caller = try context.requireScope(.productsLookup)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            return "\(caller.subject) \(key)"
        }
        return Application(router: routes.router)
    }

    @Test func aServiceObtainsATokenAndCallsAnInternalRoute() async throws {
        let key = SigningKey.generate()
        let logger = Logger(label: "test")
        try await Self.application(key: key).test(.live) { client in
            let port = try #require(client.port)
            let settings = try ClientSettings(settings: SettingsReader(environment: ["SERVICES_AUTH_URLS": "http://127.0.0.1:\(port)"]))
            let http = ServiceClient.makeHTTPClient(settings: settings, logger: logger)
            let services = ServiceClient(
                httpClient: http,
                discovery: StaticDiscovery(endpoints: settings.endpoints),
                settings: settings,
                breakers: BreakerRegistry(policy: settings.breaker, logger: logger)
            )
            do {
                let tokens = ServiceTokenSource.remote(clientID: "order", clientSecret: Self.secret, client: services)
                let caller = InternalClient(client: services, tokens: tokens)
                let (status, body) = try await caller.send(
                    .POST,
                    "/internal/whoami",
                    to: "auth",
                    json: nil,
                    idempotencyKey: "order-42-reserve",
                    propagating: nil,
                    logger: logger
                )
                #expect(status == 200)
                #expect(String(buffer: body) == "order order-42-reserve")

                // The token verifies against the key set fetched over HTTP, as every service does it.
                let verifier = TokenVerifier(policy: Self.policy, service: "auth", source: RemoteKeySetSource(client: services))
                let identity = try await verifier.verify(try await tokens.token(for: "auth", logger: logger), logger: logger)
                #expect(identity.isService && identity.subject == "order" && identity.scopes == [.productsLookup])

                // Wrong credentials: no token.
                let wrong = ServiceTokenSource.remote(clientID: "order", clientSecret: "not-the-secret", client: services)
                await #expect(throws: ServiceClientError.self) { try await wrong.token(for: "auth", logger: logger) }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()

            // The internal route itself: no token 401, a user's token 403.
            let anonymous = try await client.execute(uri: "/internal/whoami", method: .post)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let user = try await AccessTokenSigner(key: key).sign(Self.claims(subject: UUID().uuidString, roles: ["admin"], scope: nil))
            let forbidden = try await client.execute(uri: "/internal/whoami", method: .post, headers: [.authorization: "Bearer \(user)"])
            #expect(forbidden.status == .forbidden)

            // A service token for another service is no token here (401); one for this
            // service without the route's scope is forbidden (403).
            let signer = try await AccessTokenSigner(key: key)
            let elsewhere = try await signer.sign(Self.claims(subject: "order", roles: [], audience: "payment", scope: "products.lookup"))
            let replayed = try await client.execute(uri: "/internal/whoami", method: .post, headers: [.authorization: "Bearer \(elsewhere)"])
            #expect(replayed.status == .unauthorized)
            let unscoped = try await signer.sign(Self.claims(subject: "order", roles: [], audience: "auth", scope: "payments.capture"))
            let lacking = try await client.execute(uri: "/internal/whoami", method: .post, headers: [.authorization: "Bearer \(unscoped)"])
            #expect(lacking.status == .forbidden)
        }
    }

    @Test func anInternalRouteWithoutAScopeCannotBeRegistered() async {
        await #expect(processExitsWith: .failure) {
            let routes = ServiceRoutes(maxBodyBytes: 1024)
            routes.post("/internal/anything") { _, _ in "reachable by any service" }
        }
    }
}
