import Testing

@testable import NotificationService

struct HostAddressTests {
    @Test func parsesIPv4AsTheResolverDoes() {
        #expect(HostAddress.ipv4("192.168.0.1") == .v4([192, 168, 0, 1]))
        #expect(HostAddress.ipv4("127.1") == .v4([127, 0, 0, 1]))
        #expect(HostAddress.ipv4("10.1.2") == .v4([10, 1, 0, 2]))
        #expect(HostAddress.ipv4("3232235521") == .v4([192, 168, 0, 1]))
        #expect(HostAddress.ipv4("0xc0.0250.0.1") == .v4([192, 168, 0, 1]))
        #expect(HostAddress.ipv4("256.0.0.1") == nil)
        #expect(HostAddress.ipv4("1.2.3.4.5") == nil)
        #expect(HostAddress.ipv4("+1.2.3.4") == nil)
        #expect(HostAddress.ipv4("08.0.0.1") == nil)
        #expect(HostAddress.ipv4("example.com") == nil)
    }

    @Test func parsesIPv6() {
        #expect(HostAddress.ipv6("::1") == .v6([UInt8](repeating: 0, count: 15) + [1]))
        #expect(HostAddress.ipv6("2001:db8::") == .v6([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12)))
        #expect(HostAddress.ipv6("::ffff:10.0.0.1") == .v6([UInt8](repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 1]))
        #expect(HostAddress.ipv6("1:2:3:4:5:6:7:8") != nil)
        #expect(HostAddress.ipv6("1:2:3:4:5:6:7:8:9") == nil)
        #expect(HostAddress.ipv6("1::2::3") == nil)
        #expect(HostAddress.ipv6("12345::") == nil)
        #expect(HostAddress.ipv6(":1::") == nil)
        #expect(HostAddress.ipv6("fe80::1%eth0") == nil)
    }

    @Test func isWrittenSoThatInetPtonReadsItBack() throws {
        #expect(HostAddress.v4([169, 254, 169, 254]).description == "169.254.169.254")
        let v6 = try #require(HostAddress.ipv6("2606:4700::1111"))
        #expect(v6.description == "2606:4700:0:0:0:0:0:1111")
        #expect(HostAddress.ipv6(v6.description) == v6)
        #expect(HostAddress(bytes: [1, 2, 3]) == nil)
        #expect(HostAddress(bytes: [8, 8, 4, 4]) == .v4([8, 8, 4, 4]))
    }

    @Test(arguments: [
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.1",
        "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
        "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1",
        "255.255.255.255",
    ])
    func internalIPv4(text: String) throws {
        #expect(try #require(HostAddress.ipv4(text)).isInternal, "\(text) is internal")
    }

    @Test(arguments: [
        "::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:0:10.0.0.1", "64:ff9b::127.0.0.1",
        "64:ff9b::a9fe:a9fe", "64:ff9b:1::8.8.8.8", "2002:7f00:1::", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "2001:db8::1", "100::1", "fc00::1", "fd00:ec2::254", "fe80::1", "febf::1", "fec0::1", "ff02::1",
    ])
    func internalIPv6(text: String) throws {
        #expect(try #require(HostAddress.ipv6(text)).isInternal, "\(text) is internal")
    }

    @Test(arguments: [
        "8.8.8.8", "93.184.216.34", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "192.0.1.1",
        "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.255",
    ])
    func publicIPv4(text: String) throws {
        #expect(try !#require(HostAddress.ipv4(text)).isInternal, "\(text) is public")
    }

    @Test(arguments: [
        "2606:4700:4700::1111", "2a00:1450:4001:82a::200e", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
    ])
    func publicIPv6(text: String) throws {
        #expect(try !#require(HostAddress.ipv6(text)).isInternal, "\(text) is public")
    }
}
