#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, parsed strictly and printed in one canonical form, so that two
/// spellings of one address (`::ffff:10.0.0.1` and `10.0.0.1`, `2001:DB8::1` and
/// `2001:db8:0::1`) are one client.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6. An IPv4-mapped IPv6 address is stored as its IPv4 address.
    public let bytes: [UInt8]

    /// Parses an address as proxies write it in `X-Forwarded-For`: `10.0.0.1`, `2001:db8::1`,
    /// `[2001:db8::1]`, or either with a port (`10.0.0.1:443`, `[2001:db8::1]:443`). Anything
    /// else (host names, zone ids, `unknown`, garbage) is `nil`.
    public init?(_ text: some StringProtocol) {
        var candidate = Substring(text)
        while candidate.first?.isWhitespace == true { candidate = candidate.dropFirst() }
        while candidate.last?.isWhitespace == true { candidate = candidate.dropLast() }
        // Longer than any address with a port: not one.
        guard !candidate.isEmpty, candidate.utf8.count <= 64 else { return nil }
        if candidate.hasPrefix("[") {
            guard let close = candidate.firstIndex(of: "]") else { return nil }
            let rest = candidate[candidate.index(after: close)...]
            guard rest.isEmpty || Self.isPort(rest) else { return nil }
            candidate = candidate[candidate.index(after: candidate.startIndex)..<close]
            guard candidate.contains(":") else { return nil }
        } else if let colon = candidate.firstIndex(of: ":"), candidate.lastIndex(of: ":") == colon {
            // Exactly one colon: IPv4 with a port.
            guard Self.isPort(candidate[colon...]) else { return nil }
            candidate = candidate[..<colon]
        }
        self.init(exactly: candidate)
    }

    /// Parses an address alone: no brackets, no port, no surrounding space.
    public init?(exactly text: some StringProtocol) {
        guard text.utf8.count <= 64, let bytes = Self.parse(String(text)) else { return nil }
        self.init(bytes: bytes)
    }

    /// An address from its 4 or 16 bytes; an IPv4-mapped IPv6 address becomes IPv4.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4:
            self.bytes = bytes
        case 16:
            let mapped = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            self.bytes = mapped ? Array(bytes.suffix(4)) : bytes
        default:
            return nil
        }
    }

    public var isIPv4: Bool { self.bytes.count == 4 }

    /// `10.0.0.1` or the RFC 5952 form of an IPv6 address (`2001:db8::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = self.isIPv4 ? AF_INET : AF_INET6
        let written = self.bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count))
            }
        }
        guard written != nil else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The first `prefixLength` bits, the rest zero.
    func masked(to prefixLength: Int) -> [UInt8] {
        self.bytes.enumerated().map { index, byte in
            let bitsHere = min(max(prefixLength - index * 8, 0), 8)
            return bitsHere == 8 ? byte : byte & ~(UInt8(0xff) >> UInt8(bitsHere))
        }
    }

    private static func isPort(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        return text.first == ":" && (1...5).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
