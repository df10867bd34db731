import Crypto
import Foundation
import Logging
import ServiceKit
import Testing

/// ES256 verification against a key set: every way a token can be wrong is a rejection.
struct TokenVerifierTests {
    private static let policy = TokenPolicy(issuer: "test-issuer", audience: "test-audience", keySetRefreshInterval: .seconds(5))
    private let logger = Logger(label: "test")

    private static func claims(
        subject: String = UUID().uuidString,
        roles: [String] = ["customer"],
        issuer: String = "test-issuer",
        audience: String = "test-audience",
        expiresIn: TimeInterval = 300,
        scope: String? = nil
    ) -> AccessTokenClaims {
        let now = Date()
        return AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: issuer,
            audience: audience,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(expiresIn),
            tokenID: UUID().uuidString,
            scope: scope
        )
    }

    private static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    @Test func aValidTokenGivesItsIdentity() async throws {
        let key = SigningKey.generate()
        let verifier = TokenVerifier(policy: Self.policy, source: KeySetStub([key]))
        let subject = UUID()
        let token = try await AccessTokenSigner(key: key).sign(Self.claims(subject: subject.uuidString, roles: ["admin", "customer"]))
        let identity = try await verifier.verify(token, logger: self.logger)
        #expect(identity.userID == subject)
        #expect(identity.isAdmin)
        #expect(!identity.isService)
    }

    @Test func aServiceTokenForThisServiceIsAServiceWithItsScopes() async throws {
        let key = SigningKey.generate()
        let verifier = TokenVerifier(policy: Self.policy, service: "payment", source: KeySetStub([key]))
        let claims = Self.claims(subject: "order", roles: ["admin"], audience: "payment", scope: "payments.capture payments.cancel")
        let identity = try await verifier.verify(try await AccessTokenSigner(key: key).sign(claims), logger: self.logger)
        #expect(identity.isService)
        #expect(identity.userID == nil)
        #expect(identity.subject == "order")
        #expect(identity.scopes == [.paymentsCapture, .paymentsCancel])
        #expect(identity.roles.isEmpty && !identity.isAdmin, "a service token never carries a role")
    }

    @Test func aServiceTokenForAnotherServiceIsRejected() async throws {
        let key = SigningKey.generate()
        let signer = try await AccessTokenSigner(key: key)
        let atProduct = TokenVerifier(policy: Self.policy, service: "product", source: KeySetStub([key]))
        let forPayment = try await signer.sign(Self.claims(subject: "order", roles: [], audience: "payment", scope: "payments.capture"))
        await #expect(throws: TokenRejection.self) { try await atProduct.verify(forPayment, logger: self.logger) }
        // A verifier that accepts no service tokens (no service name) refuses it too.
        let anonymous = TokenVerifier(policy: Self.policy, source: KeySetStub([key]))
        await #expect(throws: TokenRejection.self) { try await anonymous.verify(forPayment, logger: self.logger) }
    }

    @Test func scopesOnAUsersTokenCountForNothing() async throws {
        let key = SigningKey.generate()
        let verifier = TokenVerifier(policy: Self.policy, service: "payment", source: KeySetStub([key]))
        // The old service token: the API's audience and scope `internal`.
        let token = try await AccessTokenSigner(key: key).sign(Self.claims(subject: "order", roles: [], scope: "internal payments.capture"))
        let identity = try await verifier.verify(token, logger: self.logger)
        #expect(!identity.isService)
        #expect(identity.scopes.isEmpty)
    }

    @Test(arguments: ["expired", "issuer", "audience", "signature", "unknown key", "none", "hs256", "garbage"])
    func rejects(_ defect: String) async throws {
        let key = SigningKey.generate()
        let signer = try await AccessTokenSigner(key: key)
        let verifier = TokenVerifier(policy: Self.policy, source: KeySetStub([key]))
        let token: String
        switch defect {
        case "expired": token = try await signer.sign(Self.claims(expiresIn: -60))
        case "issuer": token = try await signer.sign(Self.claims(issuer: "someone-else"))
        case "audience": token = try await signer.sign(Self.claims(audience: "another-api"))
        case "signature":
            let valid = try await signer.sign(Self.claims())
            let parts = valid.split(separator: ".")
            let otherSignature = try await AccessTokenSigner(key: SigningKey(privateKey: P256.Signing.PrivateKey(), kid: key.kid))
                .sign(Self.claims()).split(separator: ".")[2]
            token = "\(parts[0]).\(parts[1]).\(otherSignature)"
        case "unknown key": token = try await AccessTokenSigner(key: SigningKey.generate()).sign(Self.claims())
        case "none":
            let header = Base64URL.encode(try Self.json(["alg": "none", "typ": "JWT", "kid": key.kid]))
            let body = String(try await signer.sign(Self.claims()).split(separator: ".")[1])
            token = "\(header).\(body)."
        case "hs256":
            // The classic confusion attack: HMAC keyed with the public key the verifier trusts.
            let header = Base64URL.encode(try Self.json(["alg": "HS256", "typ": "JWT", "kid": key.kid]))
            let body = String(try await signer.sign(Self.claims()).split(separator: ".")[1])
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(body)".utf8), using: SymmetricKey(data: Data(key.publicJWK.utf8)))
            token = "\(header).\(body).\(Base64URL.encode(Data(mac)))"
        default: token = "not.a.token"
        }
        await #expect(throws: TokenRejection.self) { try await verifier.verify(token, logger: self.logger) }
    }

    @Test func anUnknownKeyIdRefetchesAtMostOncePerInterval() async throws {
        let old = SigningKey.generate()
        let new = SigningKey.generate()
        let source = KeySetStub([old])
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        _ = try await verifier.verify(try await AccessTokenSigner(key: old).sign(Self.claims()), logger: self.logger)
        #expect(source.fetches == 1)

        // Rotation: the new key is published; a token signed with it is refused until the interval passes.
        source.publish([old, new])
        let fresh = try await AccessTokenSigner(key: new).sign(Self.claims())
        await #expect(throws: TokenRejection.self) { try await verifier.verify(fresh, logger: self.logger) }
        for _ in 0..<5 {
            await #expect(throws: TokenRejection.self) { try await verifier.verify("\(fresh)", logger: self.logger) }
        }
        #expect(source.fetches == 1, "a forged kid cannot make the verifier fetch again within the interval")

        time.advance(by: .seconds(6))
        _ = try await verifier.verify(fresh, logger: self.logger)
        #expect(source.fetches == 2)
        // The old key still verifies its tokens.
        _ = try await verifier.verify(try await AccessTokenSigner(key: old).sign(Self.claims()), logger: self.logger)
        #expect(source.fetches == 2)
    }

    @Test func anUnreachableKeySetIsUnavailableNotUnauthorized() async throws {
        let key = SigningKey.generate()
        let source = KeySetStub([key])
        source.setFailing(true)
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        let token = try await AccessTokenSigner(key: key).sign(Self.claims())
        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        source.setFailing(false)
        // Auth is back, but the verifier waits out its back-off (at most the refresh interval) first.
        time.advance(by: Self.policy.keySetRefreshInterval)
        _ = try await verifier.verify(token, logger: self.logger)
        #expect(source.fetches == 2)
    }

    @Test func signingKeysRoundTripThroughPEMWithAThumbprintKid() throws {
        let key = SigningKey.generate()
        let again = try SigningKey(pem: key.privateKeyPEM)
        #expect(again.kid == key.kid)
        #expect(again.publicJWK == key.publicJWK)
        let jwk = try #require(try JSONSerialization.jsonObject(with: Data(key.publicJWK.utf8)) as? [String: String])
        #expect(jwk["kty"] == "EC" && jwk["crv"] == "P-256" && jwk["alg"] == "ES256" && jwk["kid"] == key.kid)
        #expect(Base64URL.decode(jwk["x"] ?? "")?.count == 32 && Base64URL.decode(jwk["y"] ?? "")?.count == 32)
        #expect(try SigningKey(pem: key.privateKeyPEM, kid: "chosen").kid == "chosen")
        #expect(throws: (any Error).self) { try SigningKey(pem: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----") }
    }
}
