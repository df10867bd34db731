import Crypto
import Foundation
import Testing

extension ShopStackSuite {
    /// Every bad token answers 401, through the gateway and straight at the user service (each service
    /// verifies tokens itself). Each forged token differs from one the services accept in one way only:
    /// a token forged the same way with valid claims is checked to be accepted first.
    @Suite("Token rejection")
    struct TokenRejectionTests {
        private static let mePath = "/v1/users/me"

        /// A customer with a profile and the real key that signed its access token (private half read from
        /// auth's database), once a token forged with that key and valid claims has been accepted on both paths.
        private struct Forgery {
            let stack: Stack
            let session: Session
            let key: SigningKey

            var kid: String { key.kid }

            /// Valid claims for the customer, changed by `changes`.
            func claims(_ changes: [String: Any] = [:]) -> [String: Any] {
                JWT.validClaims(subject: session.id).merging(changes) { _, new in new }
            }

            /// ES256 under the real key and its kid.
            func sign(_ claims: [String: Any]) throws -> String {
                try JWT.es256(header: JWT.es256Header(kid: kid), claims: claims, key: key.privateKey)
            }
        }

        private func makeForgery(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Forgery {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let kid = try JWT.kid(of: session.accessToken)
            let forgery = Forgery(stack: stack, session: session, key: try await AuthKeyStore.key(kid: kid))
            let control = try forgery.sign(forgery.claims())
            for url in try Self.urls(stack) {
                // Polled: the key may be new to the service (a rotation moments ago).
                let response = try await pollResponse(
                    until: { $0.status == 200 },
                    send: { try await stack.http.send(.GET, url, headers: [bearer(control)]) }
                )
                try #require(
                    response.status == 200,
                    "a token forged with key \(kid) and valid claims should pass at \(url): \(response.status) \(response.text.prefix(300))",
                    sourceLocation: sourceLocation
                )
            }
            return forgery
        }

        /// `/v1/users/me` on the gateway and on the user service.
        private static func urls(_ stack: Stack) throws -> [String] {
            [stack.url(mePath), try stack.url(mePath, on: "user")]
        }

        /// `GET /v1/users/me` with `Authorization: Bearer <token>` answers a 401 problem on both paths.
        private func expectRejected(
            _ token: String,
            _ what: String,
            _ stack: Stack,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            for url in try Self.urls(stack) {
                let response = try await stack.http.send(.GET, url, headers: [bearer(token)])
                #expect(response.status == 401, "\(what) at \(url): \(response.status) \(response.text.prefix(300))", sourceLocation: sourceLocation)
                if response.status == 401 {
                    expectProblem(response, status: 401, path: Self.mePath, sourceLocation: sourceLocation)
                }
            }
        }

        @Test("No token: 401 with WWW-Authenticate Bearer from the gateway, and 401 from the user service")
        func noToken() async throws {
            let stack = try Stack.require()
            let viaGateway = try await stack.http.send(.GET, stack.url(Self.mePath))
            expectProblem(viaGateway, status: 401, path: Self.mePath)
            let challenge = viaGateway.header("WWW-Authenticate") ?? ""
            #expect(challenge.hasPrefix("Bearer"), "WWW-Authenticate: '\(challenge)'")

            let direct = try await stack.http.send(.GET, try stack.url(Self.mePath, on: "user"))
            expectProblem(direct, status: 401, path: Self.mePath)

            // Another scheme is no token either.
            for url in try Self.urls(stack) {
                let basic = try await stack.http.send(.GET, url, headers: [("Authorization", "Basic dXNlcjpwYXNz")])
                #expect(basic.status == 401, "Basic credentials at \(url): \(basic.text.prefix(300))")
            }
        }

        @Test("Garbage in place of a JWT answers 401")
        func garbage() async throws {
            let stack = try Stack.require()
            for token in ["not-a-jwt", "a.b.c", "..", "eyJhbGciOiJFUzI1NiJ9.e30."] {
                try await expectRejected(token, "garbage token '\(token)'", stack)
            }
        }

        @Test("A real token with one signature character changed, or with other claims, answers 401")
        func tamperedToken() async throws {
            let forgery = try await makeForgery()
            let stack = forgery.stack
            let token = forgery.session.accessToken
            for url in try Self.urls(stack) {
                let genuine = try await stack.http.send(.GET, url, headers: [bearer(token)])
                #expect(genuine.status == 200, "the untouched token at \(url): \(genuine.text.prefix(300))")
            }
            let tampered = JWT.tamperingSignature(token)
            #expect(tampered != token)
            try await expectRejected(tampered, "tampered signature", stack)

            // Promoting oneself to admin while keeping the signature.
            let claims = try JWT.claims(of: token).merging(["roles": ["admin"]]) { _, new in new }
            try await expectRejected(try JWT.replacingClaims(of: token, with: claims), "tampered claims", stack)
        }

        @Test("A token signed with the real key but expired an hour ago answers 401")
        func expiredToken() async throws {
            let forgery = try await makeForgery()
            let now = Int(Date().timeIntervalSince1970)
            let token = try forgery.sign(forgery.claims(["iat": now - 4500, "exp": now - 3600]))
            try await expectRejected(token, "expired token", forgery.stack)
        }

        @Test("A token signed with the real key but from another issuer answers 401")
        func wrongIssuer() async throws {
            let forgery = try await makeForgery()
            let token = try forgery.sign(forgery.claims(["iss": "evil-auth"]))
            try await expectRejected(token, "issuer evil-auth", forgery.stack)
        }

        @Test("A token signed with the real key but for another audience answers 401 (string or array)")
        func wrongAudience() async throws {
            let forgery = try await makeForgery()
            try await expectRejected(try forgery.sign(forgery.claims(["aud": "another-shop"])), "audience another-shop", forgery.stack)
            try await expectRejected(try forgery.sign(forgery.claims(["aud": ["another-shop"]])), "audience [another-shop]", forgery.stack)
        }

        @Test("An unsigned token (alg none, empty signature) answers 401")
        func algNone() async throws {
            let forgery = try await makeForgery()
            let claims = forgery.claims()
            let headers: [[String: Any]] = [
                ["alg": "none", "typ": "JWT", "kid": forgery.kid],
                ["alg": "none", "typ": "JWT"],
                ["alg": "None", "typ": "JWT", "kid": forgery.kid],
            ]
            for header in headers {
                let token = try JWT.unsigned(header: header, claims: claims)
                let described = try canonicalJSON(header)
                try await expectRejected(token, "unsigned token with header \(described)", forgery.stack)
            }
        }

        @Test("A token signed by a key the auth service never published (kid not-a-real-key) answers 401")
        func unknownKey() async throws {
            let forgery = try await makeForgery()
            let stranger = P256.Signing.PrivateKey()
            let token = try JWT.es256(header: JWT.es256Header(kid: "not-a-real-key"), claims: forgery.claims(), key: stranger)
            try await expectRejected(token, "unknown kid", forgery.stack)

            // The same stranger key under the real kid: the signature does not verify.
            let underRealKid = try JWT.es256(header: JWT.es256Header(kid: forgery.kid), claims: forgery.claims(), key: stranger)
            try await expectRejected(underRealKid, "a stranger key under the real kid", forgery.stack)
        }

        @Test("HS256 with the public key (JWK text or PEM) as the HMAC secret and the real kid answers 401")
        func algorithmConfusion() async throws {
            let forgery = try await makeForgery()
            let published = try await PublishedKey.fetch(kid: forgery.kid, forgery.stack)
            let publicKey = try published.publicKey()
            #expect(
                publicKey.rawRepresentation == forgery.key.privateKey.publicKey.rawRepresentation,
                "the JWKS publishes the public half of the database key \(forgery.kid)"
            )
            var secrets: [(what: String, text: String)] = [
                ("the JWK as served", published.servedText ?? published.jsonText),
                ("the JWK with sorted keys", published.jsonText),
                ("the PEM", publicKey.pemRepresentation),
                ("the PEM with a final newline", publicKey.pemRepresentation + "\n"),
            ]
            if let stored = forgery.key.publicJWKText {
                secrets.append(("the JWK as stored", stored))
            }
            let header: [String: Any] = ["alg": "HS256", "typ": "JWT", "kid": forgery.kid]
            for secret in secrets {
                let token = try JWT.hs256(header: header, claims: forgery.claims(), secret: Data(secret.text.utf8))
                try await expectRejected(token, "HS256 keyed with \(secret.what)", forgery.stack)
            }
        }
    }
}
