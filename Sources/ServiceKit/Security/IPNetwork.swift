/// A range of addresses in CIDR notation: `10.0.0.0/8`, `2001:db8::/32`; a bare address is a
/// range of one (`/32` or `/128`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits zero).
    public let base: IPAddress
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        // A CIDR is written without brackets or a port.
        guard let first = parts.first, let address = IPAddress(exactly: first) else { return nil }
        // `::ffff:10.0.0.0/104` is stored as IPv4, so its prefix counts IPv4 bits.
        let mappedOffset = address.isIPv4 && first.contains(":") ? 96 : 0
        let width = address.bytes.count * 8
        var length = width
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
            length = value - mappedOffset
            guard (0...width).contains(length) else { return nil }
        }
        guard let base = IPAddress(bytes: address.masked(to: length)) else { return nil }
        self.base = base
        self.prefixLength = length
    }

    /// The range of `prefixLength` bits that holds `address` (e.g. the /64 of an IPv6 client).
    public init?(containing address: IPAddress, prefixLength: Int) {
        guard (0...address.bytes.count * 8).contains(prefixLength), let base = IPAddress(bytes: address.masked(to: prefixLength)) else {
            return nil
        }
        self.base = base
        self.prefixLength = prefixLength
    }

    /// Whether `address` is in this range (an IPv4 address is never in an IPv6 range, except
    /// through the IPv4-mapped form, which is stored as IPv4).
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == self.base.bytes.count && address.masked(to: self.prefixLength) == self.base.bytes
    }

    public var description: String { "\(self.base)/\(self.prefixLength)" }
}

/// The proxies in front of the gateway whose `X-Forwarded-For` entries are believed
/// (`TRUSTED_PROXIES`, comma-separated CIDRs; empty by default: no proxy is trusted).
public struct TrustedProxies: Sendable, Equatable {
    public let networks: [IPNetwork]

    /// At most this many `X-Forwarded-For` entries are examined, from the right.
    public static let maximumHops = 32

    public init(_ networks: [IPNetwork] = []) {
        self.networks = networks
    }

    /// Parses the setting's text (`10.0.0.0/8, 2001:db8::/32`); `nil` or empty is no proxy.
    public init(setting text: String?) throws(ConfigurationError) {
        var networks: [IPNetwork] = []
        for entry in (text ?? "").split(separator: ",") {
            let trimmed = entry.filter { !$0.isWhitespace }
            guard let network = IPNetwork(trimmed) else {
                throw ConfigurationError(
                    setting: "TRUSTED_PROXIES",
                    problem: "must be comma-separated addresses or CIDRs (10.0.0.0/8, 2001:db8::/32), not \"\(trimmed.prefix(64))\""
                )
            }
            networks.append(network)
        }
        self.networks = networks
    }

    public func contains(_ address: IPAddress) -> Bool {
        self.networks.contains { $0.contains(address) }
    }

    /// The client of a request from `peer` that carried `forwardedFor` (every `X-Forwarded-For`
    /// line, in order): the socket peer unless it is a trusted proxy; then the list is walked from
    /// the right and the first address that is not a trusted proxy is the client. An entry that
    /// is not an address ends the walk at the last trusted hop, so no text a client writes ever
    /// becomes its address unless every hop after it is trusted.
    public func clientAddress(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard self.contains(peer) else { return peer }
        var client = peer
        var examined = 0
        for line in forwardedFor.reversed() {
            for entry in line.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                guard examined < Self.maximumHops, let address = IPAddress(entry) else { return client }
                examined += 1
                client = address
                if !self.contains(address) { return address }
            }
        }
        return client
    }
}
