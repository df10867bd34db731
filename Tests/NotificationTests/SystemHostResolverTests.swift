import Testing

@testable import NotificationService

/// The system resolver on names every machine resolves without DNS (/etc/hosts, literals).
struct SystemHostResolverTests {
    @Test func localhostResolvesOnlyToInternalAddresses() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.isInternal }, "\(addresses)")
        #expect(Set(addresses).count == addresses.count, "no duplicates: \(addresses)")
    }

    @Test func literalsResolveToThemselvesInEveryResolverSpelling() async throws {
        #expect(try await SystemHostResolver().addresses(of: "127.1") == [.v4([127, 0, 0, 1])])
        #expect(try await SystemHostResolver().addresses(of: "0x7f000001") == [.v4([127, 0, 0, 1])])
        #expect(
            try await SystemHostResolver().addresses(of: "::ffff:169.254.169.254") == [
                .v6([UInt8](repeating: 0, count: 10) + [0xff, 0xff, 169, 254, 169, 254])
            ]
        )
    }

    @Test func anEmptyNameDoesNotResolve() async {
        await #expect(throws: HostResolutionFailed.self) { try await SystemHostResolver().addresses(of: "") }
    }
}
