import ServiceKit
import Testing

@testable import NotificationService

struct WebhookURLPolicyTests {
    let strict = WebhookURLPolicy(allowPrivateHosts: false)
    let lenient = WebhookURLPolicy(allowPrivateHosts: true)

    @Test(arguments: [
        "https://hooks.example.com/shop",
        "http://example.com",
        "HTTPS://Example.COM:8443/a/b?c=d#e",
        "https://example.com./trailing-dot",
        "https://user:pass@example.com/basic",
        "http://93.184.216.34/",
        "http://8.8.8.8:8080/x",
        "http://[2001:db8::1]/",
        "http://[2606:4700:4700::1111]:443/",
        "https://172.32.0.1/",
        "https://192.169.0.1/",
        "https://my-host_name.example.org/",
    ])
    func acceptsPublicHTTPURLs(url: String) {
        #expect(self.strict.problem(with: url) == nil)
        #expect(self.lenient.problem(with: url) == nil)
    }

    @Test(arguments: [
        "ftp://example.com/file",
        "mailto:someone@example.com",
        "/relative/path",
        "example.com/no-scheme",
        "http:example.com",
        "http:///no-host",
        "https://exa mple.com/",
        "",
        "https://%6c%6fcalhost/",
        "http://[fe80::1%25eth0]/",
        "http://[not-ipv6]/",
        "http://999.1.1.1/",
        "http://example..com/",
    ])
    func refusesWhatIsNotAnAbsoluteHTTPURLWithAValidHost(url: String) {
        #expect(self.strict.problem(with: url) != nil)
        #expect(self.lenient.problem(with: url) != nil)
    }

    @Test func refusesURLsLongerThan2048Characters() {
        let base = "https://example.com/"
        let longest = base + String(repeating: "a", count: 2048 - base.count)
        #expect(self.strict.problem(with: longest) == nil)
        #expect(self.strict.problem(with: longest + "a") == "must be at most 2048 characters")
    }

    @Test(arguments: [
        "http://localhost/hook",
        "http://LOCALHOST:8080/",
        "http://localhost./",
        "http://api.localhost/",
        "http://127.0.0.1:9000/hook",
        "http://127.255.255.254/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fc00::1]/",
        "http://[fd12:3456:789a::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        // Other spellings of 127.0.0.1 that the system resolver accepts.
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://127.0.0.1./",
    ])
    func refusesPrivateHostsUnlessAllowed(url: String) {
        #expect(self.strict.problem(with: url) == "must not point to localhost or a loopback, private or link-local address")
        #expect(self.lenient.problem(with: url) == nil)
    }

    @Test func reportsTheProblemOnTheURLField() throws {
        var validator = Validator()
        self.strict.check("http://127.0.0.1/", field: "url", in: &validator)
        #expect(validator.errors.map(\.field) == ["url"])
        var valid = Validator()
        self.strict.check("https://example.com/", field: "url", in: &valid)
        #expect(valid.errors.isEmpty)
    }
}

struct IPAddressLiteralTests {
    @Test func parsesIPv4AsTheResolverDoes() {
        #expect(IPAddressLiteral.ipv4("192.168.0.1") == .v4([192, 168, 0, 1]))
        #expect(IPAddressLiteral.ipv4("127.1") == .v4([127, 0, 0, 1]))
        #expect(IPAddressLiteral.ipv4("10.1.2") == .v4([10, 1, 0, 2]))
        #expect(IPAddressLiteral.ipv4("3232235521") == .v4([192, 168, 0, 1]))
        #expect(IPAddressLiteral.ipv4("0xc0.0250.0.1") == .v4([192, 168, 0, 1]))
        #expect(IPAddressLiteral.ipv4("256.0.0.1") == nil)
        #expect(IPAddressLiteral.ipv4("1.2.3.4.5") == nil)
        #expect(IPAddressLiteral.ipv4("+1.2.3.4") == nil)
        #expect(IPAddressLiteral.ipv4("08.0.0.1") == nil)
        #expect(IPAddressLiteral.ipv4("example.com") == nil)
    }

    @Test func parsesIPv6() {
        #expect(IPAddressLiteral.ipv6("::1") == .v6([UInt8](repeating: 0, count: 15) + [1]))
        #expect(IPAddressLiteral.ipv6("2001:db8::") == .v6([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12)))
        #expect(IPAddressLiteral.ipv6("::ffff:10.0.0.1") == .v6([UInt8](repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 1]))
        #expect(IPAddressLiteral.ipv6("1:2:3:4:5:6:7:8") != nil)
        #expect(IPAddressLiteral.ipv6("1:2:3:4:5:6:7:8:9") == nil)
        #expect(IPAddressLiteral.ipv6("1::2::3") == nil)
        #expect(IPAddressLiteral.ipv6("12345::") == nil)
        #expect(IPAddressLiteral.ipv6(":1::") == nil)
        #expect(IPAddressLiteral.ipv6("fe80::1%eth0") == nil)
    }
}
