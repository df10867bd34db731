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
        "http://[2a00:1450:4001:82a::200e]/",
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
        "http://127.0.0.1\\@example.com/",
        "https://example.com\\@10.0.0.1/",
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
        // Documentation ranges and IPv4 inside IPv6 forms.
        "http://192.0.2.10/",
        "http://[2001:db8::1]/",
        "http://[2002:7f00:1::]/",
        "http://[64:ff9b::a9fe:a9fe]/",
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
