import Testing

@testable import NotificationService

/// A resolver with fixed answers, as DNS would give them to an attacker who controls a name.
struct FakeResolver: HostResolver {
    var answers: [String: [HostAddress]]
    /// Names whose lookup never ends (a DNS server that does not answer).
    var hanging: Set<String> = []

    func addresses(of host: String) async throws -> [HostAddress] {
        if self.hanging.contains(host) {
            try await Task.sleep(for: .seconds(3600))
        }
        guard let addresses = self.answers[host], !addresses.isEmpty else {
            throw HostResolutionFailed(host: host, reason: "Name or service not known")
        }
        return addresses
    }
}

struct WebhookDestinationTests {
    static let resolver = FakeResolver(
        answers: [
            "hooks.example.com": [.v4([93, 184, 216, 34])],
            "two-faced.example.com": [.v4([93, 184, 216, 34]), .v4([127, 0, 0, 1])],
            "v6-loopback.example.com": [.v4([93, 184, 216, 34]), .v6([UInt8](repeating: 0, count: 15) + [1])],
            "metadata.example.com": [.v4([169, 254, 169, 254])],
            "mapped.example.com": [.v6([UInt8](repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 5])],
            "unique-local.example.com": [.v6([0xfd, 0x00] + [UInt8](repeating: 0, count: 13) + [1])],
            // The machine's own host name, as /etc/hosts maps it; and a cluster service name.
            "vm": [.v4([127, 0, 0, 1])],
            "payment": [.v4([10, 96, 4, 17])],
            "127.1": [.v4([127, 0, 0, 1])],
            "2606:4700:4700::1111": [.v6([0x26, 0x06, 0x47, 0x00, 0x47, 0x00] + [UInt8](repeating: 0, count: 8) + [0x11, 0x11])],
        ],
        hanging: ["slow.example.com"]
    )
    let strict = WebhookDestinationResolver(resolver: Self.resolver, allowPrivateHosts: false, timeout: .milliseconds(200))
    let lenient = WebhookDestinationResolver(resolver: Self.resolver, allowPrivateHosts: true, timeout: .milliseconds(200))

    @Test func aPublicNameLeadsToItsCheckedAddress() async throws {
        let destination = try await self.strict.destination(of: "https://hooks.example.com/shop?x=1")
        #expect(destination == WebhookDestination(host: "hooks.example.com", address: .v4([93, 184, 216, 34])))
        let literal = try await self.strict.destination(of: "http://[2606:4700:4700::1111]:8443/")
        #expect(literal.host == "2606:4700:4700::1111")
    }

    @Test(arguments: [
        ("http://vm:8086/v1/notifications", "127.0.0.1"),
        ("http://payment:8085/internal/payments/capture", "10.96.4.17"),
        ("http://metadata.example.com/latest/meta-data/", "169.254.169.254"),
        ("http://two-faced.example.com/", "127.0.0.1"),
        ("http://v6-loopback.example.com/", "0:0:0:0:0:0:0:1"),
        ("http://mapped.example.com/", "0:0:0:0:0:ffff:a00:5"),
        ("https://unique-local.example.com/", "fd00:0:0:0:0:0:0:1"),
        ("http://127.1/", "127.0.0.1"),
    ])
    func aNameWithAnyInternalAnswerIsRefused(url: String, expected: String) async {
        do throws(WebhookDestinationRefused) {
            let destination = try await self.strict.destination(of: url)
            Issue.record("\(url) was accepted: \(destination)")
        } catch {
            guard case .internalAddress(_, let address) = error else {
                Issue.record("\(url): refused as internal, not \(error)")
                return
            }
            #expect(address.description == expected)
            #expect(error.fieldMessage.contains("internal"))
        }
    }

    @Test func privateHostsAreReachedOnlyWhenAllowed() async throws {
        let destination = try await self.lenient.destination(of: "http://vm:9000/hook")
        #expect(destination == WebhookDestination(host: "vm", address: .v4([127, 0, 0, 1])))
        // The first answer is the one connected to, even when another is internal.
        let twoFaced = try await self.lenient.destination(of: "http://two-faced.example.com/")
        #expect(twoFaced.address == .v4([93, 184, 216, 34]))
    }

    @Test func aNameThatDoesNotResolveInTimeIsRefused() async {
        for url in ["http://nowhere.example.com/", "http://slow.example.com/"] {
            do throws(WebhookDestinationRefused) {
                _ = try await self.strict.destination(of: url)
                Issue.record("\(url) should be refused")
            } catch {
                guard case .unresolvable = error else {
                    Issue.record("\(url): unresolvable, not \(error)")
                    continue
                }
                #expect(error.fieldMessage == "must have a host name that resolves")
            }
        }
    }

    @Test func readsTheHostAsTheHTTPClientDoes() {
        #expect(WebhookDestinationResolver.host(of: "https://user:pass@Hooks.Example.com:8443/a") == "Hooks.Example.com")
        #expect(WebhookDestinationResolver.host(of: "http://[::1]:80/") == "::1")
        #expect(WebhookDestinationResolver.host(of: "http://example.com./") == "example.com.")
        #expect(WebhookDestinationResolver.host(of: "ftp://example.com/") == nil)
        #expect(WebhookDestinationResolver.host(of: "/relative") == nil)
    }
}
