import ServiceKit
import Testing

/// Addresses, ranges and the walk of `X-Forwarded-For` across trusted proxies.
struct ClientAddressDerivationTests {
    private static func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text), "\(text) parses")
    }

    private static func proxies(_ text: String) throws -> TrustedProxies {
        try TrustedProxies(setting: text)
    }

    @Test(
        "Addresses print in one canonical form",
        arguments: [
            ("10.0.0.1", "10.0.0.1"), (" 10.0.0.1 ", "10.0.0.1"), ("10.0.0.1:8080", "10.0.0.1"), ("::ffff:10.0.0.1", "10.0.0.1"),
            ("2001:DB8:0::1", "2001:db8::1"), ("[2001:db8::1]", "2001:db8::1"), ("[2001:db8::1]:443", "2001:db8::1"), ("::1", "::1"),
        ]
    )
    func canonicalForm(text: String, expected: String) throws {
        #expect(try Self.address(text).description == expected)
    }

    @Test(
        "What is not an address is nil",
        arguments: [
            "", "unknown", "example.com", "10.0.0.256", "10.0.0", "1.2.3.4.5", "10.0.0.1:99999x", "10.0.0.1:", "[10.0.0.1]", "[2001:db8::1",
            "[2001:db8::1]x", "fe80::1%eth0", String(repeating: "1", count: 100),
        ]
    )
    func notAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func rangesContainTheirAddressesOnly() throws {
        let private8 = try #require(IPNetwork("10.1.2.3/8"))
        #expect(private8.description == "10.0.0.0/8")
        #expect(private8.contains(try Self.address("10.255.1.2")))
        #expect(!private8.contains(try Self.address("11.0.0.1")))
        #expect(private8.contains(try Self.address("::ffff:10.9.9.9")), "an IPv4-mapped peer is its IPv4 address")

        let documentation = try #require(IPNetwork("2001:db8::/32"))
        #expect(documentation.contains(try Self.address("2001:db8:ffff::1")))
        #expect(!documentation.contains(try Self.address("2001:db9::1")))
        #expect(!documentation.contains(try Self.address("10.0.0.1")))

        let single = try #require(IPNetwork("127.0.0.1"))
        #expect(single.prefixLength == 32)
        #expect(!single.contains(try Self.address("127.0.0.2")))

        let mapped = try #require(IPNetwork("::ffff:10.0.0.0/104"))
        #expect(mapped.description == "10.0.0.0/8")

        let everyIPv4 = try #require(IPNetwork("0.0.0.0/0"))
        #expect(everyIPv4.contains(try Self.address("203.0.113.9")))
        #expect(!everyIPv4.contains(try Self.address("::1")))

        let slash64 = try #require(IPNetwork(containing: try Self.address("2001:db8:1:2:3:4:5:6"), prefixLength: 64))
        #expect(slash64.description == "2001:db8:1:2::/64")
    }

    @Test(
        "Malformed ranges are refused",
        arguments: ["10.0.0.0/33", "10.0.0.0/", "/8", "10.0.0.0/8/8", "example.com/8", "10.0.0.1:80/32", "[::1]/128", "::/129", "10.0.0.0/-1"]
    )
    func malformedRange(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func theSettingListsRangesOrFailsNamingItself() throws {
        #expect(try TrustedProxies(setting: nil).networks.isEmpty)
        #expect(
            try Self.proxies("10.0.0.0/8, 2001:db8::/32 ,127.0.0.1").networks.map(\.description) == ["10.0.0.0/8", "2001:db8::/32", "127.0.0.1/32"]
        )
        #expect(throws: ConfigurationError.self) { try TrustedProxies(setting: "10.0.0.0/8,proxy.internal") }
        do {
            _ = try TrustedProxies(setting: "10.0.0.0/99")
            Issue.record("a bad range must be refused")
        } catch {
            #expect(error.setting == "TRUSTED_PROXIES")
        }
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() throws {
        let none = TrustedProxies()
        let peer = try Self.address("198.51.100.1")
        #expect(none.clientAddress(peer: peer, forwardedFor: ["203.0.113.9"]) == peer)
        let trusted = try Self.proxies("10.0.0.0/8")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["10.0.0.1"]) == peer, "a peer outside the ranges cannot name a proxy")
    }

    @Test func aTrustedPeerNamesTheFirstUntrustedAddressFromTheRight() throws {
        let trusted = try Self.proxies("10.0.0.0/8, 2001:db8:ffff::/48")
        let peer = try Self.address("10.0.0.5")
        let client = try Self.address("203.0.113.9")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["203.0.113.9"]) == client)
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["203.0.113.9, 10.0.0.7"]) == client, "across two proxies")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["1.1.1.1, 8.8.8.8, 203.0.113.9"]) == client, "the client's own entries are ignored")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["1.1.1.1", "203.0.113.9, 10.0.0.7"]) == client, "header lines in order")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: []) == peer, "nothing forwarded: the proxy itself")
        let lastProxy = try Self.address("10.0.0.8")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["10.0.0.8"]) == lastProxy, "all trusted: the left-most")
        let v6Proxy = try Self.address("2001:db8:ffff::1")
        let v6Client = try Self.address("2001:db8::7")
        #expect(trusted.clientAddress(peer: v6Proxy, forwardedFor: ["[2001:db8::7]:443"]) == v6Client)
        let mappedPeer = try Self.address("::ffff:10.0.0.5")
        #expect(trusted.clientAddress(peer: mappedPeer, forwardedFor: ["203.0.113.9"]) == client, "a mapped peer")
    }

    @Test func aMalformedEntryEndsTheWalkAtTheLastTrustedHop() throws {
        let trusted = try Self.proxies("10.0.0.0/8")
        let peer = try Self.address("10.0.0.5")
        let lastHop = try Self.address("10.0.0.7")
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["1.1.1.1, garbage, 10.0.0.7"]) == lastHop)
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["unknown"]) == peer)
        #expect(trusted.clientAddress(peer: peer, forwardedFor: ["203.0.113.9,"]) == peer, "an empty entry is malformed too")
    }

    @Test func theWalkIsBounded() throws {
        let trusted = try Self.proxies("10.0.0.0/8")
        let peer = try Self.address("10.0.0.5")
        let hops = (1...TrustedProxies.maximumHops).map { "10.1.0.\($0)" }
        let within = trusted.clientAddress(peer: peer, forwardedFor: [(["203.0.113.9"] + hops.dropLast()).joined(separator: ",")])
        let client = try Self.address("203.0.113.9")
        #expect(within == client)
        let beyond = trusted.clientAddress(peer: peer, forwardedFor: [(["203.0.113.9"] + hops).joined(separator: ",")])
        let leftmostHop = try Self.address("10.1.0.1")
        #expect(beyond == leftmostHop, "past the limit the last trusted hop stands for the client")
    }
}
