import Foundation
import Logging
import Testing

@testable import ServiceKit

struct VerifiedTokenCacheTests {
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private static func entry(expiresIn seconds: TimeInterval) -> VerifiedTokenCache.Entry {
        .init(
            identity: Identity(user: UUID().uuidString, roles: ["customer"], tokenID: UUID().uuidString),
            kid: "k1",
            key: Data(repeating: 1, count: 64),
            expiresAt: Self.start.addingTimeInterval(seconds)
        )
    }

    @Test func aTokenIsRememberedUntilItExpires() {
        let cache = VerifiedTokenCache()
        let entry = Self.entry(expiresIn: 60)
        cache.remember("token", entry, now: Self.start)
        #expect(cache.entry(for: "token", now: Self.start.addingTimeInterval(59))?.identity == entry.identity)
        #expect(cache.entry(for: "token", now: Self.start.addingTimeInterval(60)) == nil)
        #expect(cache.count == 0, "an expired entry is dropped when it is looked up")
        #expect(cache.entry(for: "another", now: Self.start) == nil)
    }

    @Test func anExpiredTokenIsNeverRemembered() {
        let cache = VerifiedTokenCache()
        cache.remember("token", Self.entry(expiresIn: 0), now: Self.start)
        #expect(cache.count == 0)
    }

    @Test func aFullCacheDropsExpiredEntriesFirstThenStartsOver() {
        let cache = VerifiedTokenCache(capacity: 3)
        cache.remember("short", Self.entry(expiresIn: 10), now: Self.start)
        cache.remember("long-1", Self.entry(expiresIn: 100), now: Self.start)
        cache.remember("long-2", Self.entry(expiresIn: 100), now: Self.start)
        let later = Self.start.addingTimeInterval(20)
        cache.remember("new", Self.entry(expiresIn: 100), now: later)
        #expect(cache.count == 3, "the expired entry made room")
        #expect(cache.entry(for: "long-1", now: later) != nil)
        cache.remember("newer", Self.entry(expiresIn: 100), now: later)
        #expect(cache.count == 1, "nothing had expired: it starts over with the newest")
        #expect(cache.entry(for: "newer", now: later) != nil)
    }

    @Test func aVerifierRemembersTheTokensItVerified() async throws {
        let key = SigningKey.generate()
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: "test-issuer", audience: "test-audience"), source: KeySetStub([key]))
        let now = Date()
        let claims = AccessTokenClaims(
            subject: UUID().uuidString,
            roles: ["customer"],
            issuer: "test-issuer",
            audience: "test-audience",
            issuedAt: now,
            expiresAt: now.addingTimeInterval(300),
            tokenID: UUID().uuidString
        )
        let token = try await AccessTokenSigner(key: key).sign(claims)
        let logger = Logger(label: "test")
        let first = try await verifier.verify(token, logger: logger)
        #expect(verifier.verified.count == 1)
        #expect(try await verifier.verify(token, logger: logger) == first)
        #expect(verifier.verified.count == 1)
        // A token with a changed signature is a different token: verified, and refused.
        var characters = Array(token)
        let inSignature = characters.count - 10
        characters[inSignature] = characters[inSignature] == "A" ? "B" : "A"
        let tampered = String(characters)
        await #expect(throws: TokenRejection.self) { try await verifier.verify(tampered, logger: logger) }
        #expect(verifier.verified.count == 1)
    }
}
