import Crypto
import Foundation
import Testing

extension ShopStackSuite {
    /// API2:2023 Broken Authentication: forging, replaying and guessing credentials. Every attack
    /// is tried through the gateway and straight at a service, since each service verifies tokens.
    @Suite("Attacks: authentication (API2)")
    struct AuthenticationAttackTests {
        private static let mePath = "/v1/users/me"

        private func expectRejected(_ token: String, _ what: String, _ stack: Stack, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            for url in [stack.url(Self.mePath), try stack.url(Self.mePath, on: "user")] {
                let response = try await stack.http.send(.GET, url, headers: [bearer(token)])
                expectProblem(response, status: 401, path: Self.mePath, sourceLocation: sourceLocation)
            }
        }

        @Test("Signs itself an admin token with alg none")
        func forgesWithAlgNone() async throws {
            let stack = try Stack.require()
            let victim = try await Session.register(stack)
            let claims = JWT.validClaims(subject: victim.id, roles: ["admin"])
            for alg in ["none", "None", "NONE"] {
                try await expectRejected(try JWT.unsigned(header: ["alg": alg, "typ": "JWT"], claims: claims), "alg \(alg)", stack)
            }
        }

        @Test("Signs an admin token with HS256 keyed by the published public key (algorithm confusion)")
        func forgesWithThePublicKeyAsHMACSecret() async throws {
            let stack = try Stack.require()
            let victim = try await Session.register(stack)
            let kid = try JWT.kid(of: victim.accessToken)
            let published = try await PublishedKey.fetch(kid: kid, stack)
            let publicKey = try published.publicKey()
            let claims = JWT.validClaims(subject: victim.id, roles: ["admin"])
            for secret in [publicKey.x963Representation, Data(publicKey.pemRepresentation.utf8), publicKey.rawRepresentation] {
                try await expectRejected(
                    try JWT.hs256(header: ["alg": "HS256", "typ": "JWT", "kid": kid], claims: claims, secret: secret),
                    "HS256",
                    stack
                )
            }
        }

        @Test("Promotes its own token to admin, keeping the signature")
        func promotesItsOwnToken() async throws {
            let stack = try Stack.require()
            let attacker = try await Session.register(stack)
            let claims = try JWT.claims(of: attacker.accessToken).merging(["roles": ["admin"]]) { _, new in new }
            try await expectRejected(try JWT.replacingClaims(of: attacker.accessToken, with: claims), "tampered roles", stack)
        }

        @Test(
            "Points the key id at a file, a URL or SQL",
            arguments: ["../../../../etc/passwd", "' OR '1'='1", "https://evil.example/jwks.json", String(repeating: "k", count: 1000)]
        )
        func injectsThroughTheKeyID(kid: String) async throws {
            let stack = try Stack.require()
            let attacker = try await Session.register(stack)
            let forged = try JWT.es256(
                header: JWT.es256Header(kid: kid),
                claims: JWT.validClaims(subject: attacker.id, roles: ["admin"]),
                key: P256.Signing.PrivateKey()
            )
            try await expectRejected(forged, "kid \(kid.prefix(40))", stack)
        }

        @Test("Replays a spent refresh token, and the whole family is revoked")
        func replaysASpentRefreshToken() async throws {
            let stack = try Stack.require()
            let victim = try await Session.register(stack)
            let first = try await Session.refresh(stack, refreshToken: victim.refreshToken)
            let rotated = try TokenPair(first, what: "the owner's refresh")
            let replay = try await Session.refresh(stack, refreshToken: victim.refreshToken)
            expectProblem(replay, status: 401, path: "/v1/auth/refresh")
            let afterReplay = try await Session.refresh(stack, refreshToken: rotated.refreshToken)
            expectProblem(afterReplay, status: 401, path: "/v1/auth/refresh")
        }

        @Test("Uses an access token as a refresh token, and a refresh token after logout")
        func confusesTokenKinds() async throws {
            let stack = try Stack.require()
            let victim = try await Session.register(stack)
            // An access token is far longer than any refresh token: refused by the field's
            // documented maximum (422) before it is ever looked up.
            let confused = try await Session.refresh(stack, refreshToken: victim.accessToken)
            expectValidationProblem(confused, path: "/v1/auth/refresh", fields: ["refreshToken"])
            #expect(!confused.text.contains("accessToken"), "no tokens: \(confused.text.prefix(200))")
            let logout = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/logout"),
                json: try canonicalJSON(["refreshToken": victim.refreshToken])
            )
            #expect(logout.status == 204, "\(logout.text.prefix(200))")
            expectProblem(try await Session.refresh(stack, refreshToken: victim.refreshToken), status: 401, path: "/v1/auth/refresh")
        }

        @Test("Tells registered emails from unknown ones by the login answer")
        func enumeratesAccounts() async throws {
            let stack = try Stack.require()
            let victim = try await Session.register(stack)
            let known = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/login"),
                json: try canonicalJSON(["email": victim.email, "password": "wrong-password-1"])
            )
            let unknown = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/login"),
                json: try canonicalJSON(["email": Session.newEmail(), "password": "wrong-password-1"])
            )
            let first = expectProblem(known, status: 401, path: "/v1/auth/login")
            let second = expectProblem(unknown, status: 401, path: "/v1/auth/login")
            #expect(first?.detail == second?.detail, "the same answer either way: \(known.text) / \(unknown.text)")
        }
    }
}
