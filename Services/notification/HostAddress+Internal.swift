extension HostAddress {
    /// Whether the address is one a webhook must not reach: anything not routed on the public
    /// internet, and anything that reaches this host, its cluster or its cloud's metadata.
    ///
    /// IPv4: 0/8 ("this network"; `0.0.0.0` is the local host), 10/8, 172.16/12 and 192.168/16
    /// (private), 100.64/10 (carrier-grade NAT, also used by clusters), 127/8 (loopback),
    /// 169.254/16 (link-local, the metadata endpoint 169.254.169.254), 192.0.0/24 (protocol
    /// assignments), 192.0.2/24, 198.51.100/24, 203.0.113/24 (documentation), 198.18/15
    /// (benchmarking), 224/4 (multicast) and 240/4 with 255.255.255.255 (reserved, broadcast).
    ///
    /// IPv6: `::` and `::1`, IPv4-compatible `::a.b.c.d`, fc00::/7 (unique local), fe80::/10
    /// (link-local), fec0::/10 (site-local), ff00::/8 (multicast), 100::/64 (discard),
    /// 2001:db8::/32 (documentation), 64:ff9b:1::/48 (local NAT64); and the IPv4 address inside
    /// IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`,
    /// 6to4 `2002:aabb:ccdd::` and Teredo `2001:0:…` addresses is judged as IPv4.
    var isInternal: Bool {
        switch self {
        case .v4(let bytes):
            return bytes.count != 4 || Self.isInternalIPv4(bytes[0], bytes[1], bytes[2])
        case .v6(let bytes):
            guard bytes.count == 16 else { return true }
            return Self.isInternalIPv6(bytes)
        }
    }

    private static func isInternalIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        a == 0  // "this network"
            || a == 10  // private
            || (a == 100 && b & 0xc0 == 64)  // shared address space (CGNAT)
            || a == 127  // loopback
            || (a == 169 && b == 254)  // link-local, cloud metadata endpoints
            || (a == 172 && b & 0xf0 == 16)  // private
            || (a == 192 && b == 0 && (c == 0 || c == 2))  // protocol assignments, documentation
            || (a == 192 && b == 168)  // private
            || (a == 198 && b & 0xfe == 18)  // benchmarking
            || (a == 198 && b == 51 && c == 100)  // documentation
            || (a == 203 && b == 0 && c == 113)  // documentation
            || a >= 224  // multicast, reserved and broadcast
    }

    private static func isInternalIPv6(_ bytes: [UInt8]) -> Bool {
        let zeros = { (count: Int) in [UInt8](repeating: 0, count: count) }
        let tail = Array(bytes[12..<16])
        let head12 = Array(bytes[0..<12])
        let embedded = { (v4: [UInt8]) in Self.isInternalIPv4(v4[0], v4[1], v4[2]) }
        if head12 == zeros(10) + [0xff, 0xff] { return embedded(tail) }  // ::ffff:a.b.c.d mapped
        if head12 == zeros(8) + [0xff, 0xff, 0, 0] { return embedded(tail) }  // ::ffff:0:a.b.c.d translated
        if head12 == zeros(12) { return true }  // ::, ::1 and the deprecated ::a.b.c.d
        if head12 == [0x00, 0x64, 0xff, 0x9b] + zeros(8) { return embedded(tail) }  // 64:ff9b::/96 NAT64
        if bytes[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return true }  // 64:ff9b:1::/48 local NAT64
        if bytes[0..<2] == [0x20, 0x02] { return embedded(Array(bytes[2..<6])) }  // 2002::/16 6to4
        if bytes[0..<4] == [0x20, 0x01, 0x00, 0x00] { return embedded(tail.map { ~$0 }) }  // 2001::/32 Teredo client
        if bytes[0..<4] == [0x20, 0x01, 0x0d, 0xb8] { return true }  // 2001:db8::/32 documentation
        if Array(bytes[0..<8]) == [0x01, 0x00] + zeros(6) { return true }  // 100::/64 discard-only
        if bytes[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local
        if bytes[0] == 0xfe && bytes[1] & 0x80 == 0x80 { return true }  // fe80::/10 link-local, fec0::/10 site-local
        return bytes[0] == 0xff  // multicast
    }
}
