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

    private static func claims(subject: String, roles: [String], scope: String?) -> AccessTokenClaims {
        AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: Self.policy.issuer,
            audience: Self.policy.audience,
            issuedAt: Date(),
            expiresAt: Date().addingTimeInterval(60),
            tokenID: UUID().uuidString,
            scope: scope
        )
    }

    private static func application(key: SigningKey) async throws -> some ApplicationProtocol {
        let signer = try await AccessTokenSigner(key: key)
        let routes = ServiceRoutes(maxBodyBytes: 4096, verifier: TokenVerifier(policy: Self.policy, source: FixedKeySet(keys: [key])))
        routes.on(.post, "/internal/token", serviceTokenRequired: false) { request, _ in
            let expected = "Basic " + Data("order:\(Self.secret)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { throw ProblemError.unauthorized("bad client credentials") }
            let token = try await signer.sign(Self.claims(subject: "order", roles: [], scope: Scope.internal))
            return JSONResponse(ServiceTokenGrant(accessToken: token, expiresIn: 60))
        }
        routes.get("/v1/auth/jwks") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"keys\":[\(key.publicJWK)]}")))
        }
        routes.post("/internal/whoami") { request, context in
            let caller = try context.requireService()
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
                let verifier = TokenVerifier(policy: Self.policy, source: RemoteKeySetSource(client: services))
                let identity = try await verifier.verify(try await tokens.token(logger: logger), logger: logger)
                #expect(identity.isService && identity.subject == "order")

                // Wrong credentials: no token.
                let wrong = ServiceTokenSource.remote(clientID: "order", clientSecret: "not-the-secret", client: services)
                await #expect(throws: ServiceClientError.self) { try await wrong.token(logger: logger) }
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
        }
    }
}
