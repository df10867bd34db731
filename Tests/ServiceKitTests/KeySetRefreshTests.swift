import Foundation
import Logging
import ServiceKit
import Testing

/// How a verifier keeps auth's key set: one fetch in flight, a back-off after failures, and a
/// refresh once the set is `keySetMaxAge` old. Time is a ``ManualTime``; nothing sleeps.
struct KeySetRefreshTests {
    private static let policy = TokenPolicy(
        issuer: "test-issuer",
        audience: "test-audience",
        keySetRefreshInterval: .seconds(5),
        keySetMaxAge: .seconds(300),
        keySetRetryMaximum: .seconds(60)
    )
    private let logger = Logger(label: "test")

    private static func token(signedWith key: SigningKey) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(
            subject: UUID().uuidString,
            roles: ["customer"],
            issuer: Self.policy.issuer,
            audience: Self.policy.audience,
            issuedAt: now,
            expiresAt: now.addingTimeInterval(3_600),
            tokenID: UUID().uuidString
        )
        return try await AccessTokenSigner(key: key).sign(claims)
    }

    /// Lets other tasks run until `condition` holds (at most `rounds` yields).
    private static func yield(until condition: () -> Bool, rounds: Int = 10_000) async {
        var round = 0
        while !condition(), round < rounds {
            await Task.yield()
            round += 1
        }
    }

    @Test func concurrentTokensWithAnUnknownKidShareOneFetch() async throws {
        let key = SigningKey.generate()
        let source = KeySetStub([key])
        let gate = Gate()
        source.hold(at: gate)
        let verifier = TokenVerifier(policy: Self.policy, source: source)
        let token = try await Self.token(signedWith: key)
        let callers = 20
        try await withThrowingTaskGroup(of: Identity.self) { group in
            for _ in 0..<callers {
                group.addTask { try await verifier.verify(token, logger: self.logger) }
            }
            // The first fetch is held open while the other callers arrive; a verifier without
            // single flight starts one fetch per caller meanwhile.
            await Self.yield(until: { source.fetches >= 1 })
            await Self.yield(until: { source.fetches >= callers }, rounds: 1_000)
            gate.open()
            var verified = 0
            for try await _ in group { verified += 1 }
            #expect(verified == callers)
        }
        #expect(source.fetches == 1)
    }

    @Test func aFailedFetchIsNotRetriedBeforeItsBackOff() async throws {
        let key = SigningKey.generate()
        let source = KeySetStub([key])
        source.setFailing(true)
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        let token = try await Self.token(signedWith: key)

        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        #expect(source.fetches == 1)
        // The first back-off is between half the refresh interval and all of it.
        for _ in 0..<10 {
            await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        }
        time.advance(by: .milliseconds(2_400))
        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        #expect(source.fetches == 1, "no fetch while backing off")

        time.advance(by: .milliseconds(2_600))
        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        #expect(source.fetches == 2, "one fetch once the back-off is over")

        // The second failure doubles the back-off: still none after 4.9 s.
        time.advance(by: .milliseconds(4_900))
        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(token, logger: self.logger) }
        #expect(source.fetches == 2)

        source.setFailing(false)
        time.advance(by: .milliseconds(5_100))
        _ = try await verifier.verify(token, logger: self.logger)
        #expect(source.fetches == 3)
    }

    @Test func aKeyRemovedFromAuthStopsVerifyingOnceTheSetIsMaxAgeOld() async throws {
        let removed = SigningKey.generate()
        let kept = SigningKey.generate()
        let source = KeySetStub([removed, kept])
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        let doomed = try await Self.token(signedWith: removed)
        let fine = try await Self.token(signedWith: kept)
        _ = try await verifier.verify(doomed, logger: self.logger)
        #expect(source.fetches == 1)

        source.publish([kept])
        time.advance(by: .seconds(200))
        // Younger than the max age: the cached set still answers, without a fetch.
        _ = try await verifier.verify(doomed, logger: self.logger)
        #expect(source.fetches == 1)

        time.advance(by: .seconds(100))
        await #expect(throws: TokenRejection.self) { try await verifier.verify(doomed, logger: self.logger) }
        #expect(source.fetches == 2)
        _ = try await verifier.verify(fine, logger: self.logger)
        #expect(source.fetches == 2)
    }

    @Test func whileAuthIsDownAnOldSetStillVerifiesTheKeysItHolds() async throws {
        let key = SigningKey.generate()
        let source = KeySetStub([key])
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        let token = try await Self.token(signedWith: key)
        _ = try await verifier.verify(token, logger: self.logger)

        source.setFailing(true)
        time.advance(by: .seconds(301))
        _ = try await verifier.verify(token, logger: self.logger)
        #expect(source.fetches == 2)
        // A key the old set does not hold cannot be judged: 503, and no fetch during the back-off.
        let unknown = try await Self.token(signedWith: SigningKey.generate())
        await #expect(throws: KeySetUnavailable.self) { try await verifier.verify(unknown, logger: self.logger) }
        #expect(source.fetches == 2)
    }

    @Test func aSetNearItsMaxAgeIsRenewedWithoutHoldingUpTheRequest() async throws {
        let key = SigningKey.generate()
        let source = KeySetStub([key])
        let time = ManualTime()
        let verifier = TokenVerifier(policy: Self.policy, source: source, time: time.source)
        let token = try await Self.token(signedWith: key)
        _ = try await verifier.verify(token, logger: self.logger)

        let gate = Gate()
        source.hold(at: gate)
        time.advance(by: .seconds(250))
        // Past 80 % of the max age: the request is answered from the cached set while a fetch
        // (held at the gate) renews it.
        _ = try await verifier.verify(token, logger: self.logger)
        await Self.yield(until: { source.fetches >= 2 })
        #expect(source.fetches == 2)
        gate.open()
    }

    @Test func aKeySetDocumentKeepsOnlyES256SigningKeys() throws {
        let key = SigningKey.generate()
        let rsa = #"{"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB"}"#
        let encryption = key.publicJWK.replacingOccurrences(of: #""kid":"\#(key.kid)""#, with: #""kid":"enc""#)
            .replacingOccurrences(of: #""use":"sig""#, with: #""use":"enc""#)
        let snapshot = try KeySetSnapshot(jwks: #"{"keys":[\#(key.publicJWK),\#(rsa),\#(encryption)]}"#)
        #expect(Set(snapshot.keys.keys) == [key.kid])
        #expect(throws: KeySetUnavailable.self) { try KeySetSnapshot(jwks: "not json") }
        #expect(try KeySetSnapshot(jwks: #"{"keys":[]}"#).keys.isEmpty)
    }
}
