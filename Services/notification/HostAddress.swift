/// An IPv4 or IPv6 address: one a host name resolved to, or one written literally as a URL
/// host. Literals are parsed as the system resolver parses them, so that no spelling of a
/// private address slips past ``WebhookURLPolicy``: IPv4 also in the `inet_aton` forms
/// (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1`), IPv6 with `::` compression and an
/// embedded IPv4 tail. Which addresses a webhook may reach: `HostAddress+Internal.swift`.
enum HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// Four bytes, network order.
    case v4([UInt8])
    /// Sixteen bytes, network order.
    case v6([UInt8])

    /// The address of raw bytes as a socket address holds them; `nil` unless 4 or 16 of them.
    init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: self = .v4(Array(bytes))
        case 16: self = .v6(Array(bytes))
        default: return nil
        }
    }

    /// Dotted decimal for IPv4; eight uncompressed hex groups for IPv6 (`inet_pton` reads both,
    /// and so does the HTTP client's DNS override).
    var description: String {
        switch self {
        case .v4(let bytes):
            return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            return stride(from: 0, to: bytes.count - 1, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
    }

    /// An IPv4 host, or `nil` when `text` is not one.
    static func ipv4(_ text: some StringProtocol) -> Self? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt32] = []
        for part in parts {
            guard let value = Self.number(part) else { return nil }
            values.append(value)
        }
        // Every part but the last is one byte; the last fills the remaining bytes.
        let lastLimit: UInt64 = (1 << (8 * UInt64(5 - parts.count))) - 1
        guard values.dropLast().allSatisfy({ $0 <= 255 }), let last = values.last, UInt64(last) <= lastLimit else { return nil }
        var address: UInt32 = last
        for (index, value) in values.dropLast().enumerated() { address |= value << (8 * UInt32(3 - index)) }
        return .v4([UInt8(address >> 24), UInt8((address >> 16) & 0xff), UInt8((address >> 8) & 0xff), UInt8(address & 0xff)])
    }

    /// An IPv6 address (without brackets or zone), or `nil` when `text` is not one.
    static func ipv6(_ text: some StringProtocol) -> Self? {
        let text = String(text)
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = Self.groups(halves[0], last: halves.count == 1) else { return nil }
        var bytes = head
        if halves.count == 2 {
            guard let tail = Self.groups(halves[1], last: true), head.count + tail.count <= 14 else { return nil }
            bytes += [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        }
        return bytes.count == 16 ? .v6(bytes) : nil
    }

    /// The bytes of colon-separated hex groups; the final one may be a dotted IPv4 address.
    private static func groups(_ text: String, last: Bool) -> [UInt8]? {
        guard !text.isEmpty else { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, group) in groups.enumerated() {
            if last && index == groups.count - 1 && group.contains(".") {
                guard let v4 = Self.dottedQuad(group) else { return nil }
                bytes += v4
            } else {
                guard (1...4).contains(group.count), Self.isDigits(group, radix: 16), let value = UInt16(group, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
        }
        return bytes
    }

    /// Strictly `a.b.c.d` in decimal, as inside an IPv6 address.
    private static func dottedQuad(_ text: some StringProtocol) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { part in (1...3).contains(part.count) && Self.isDigits(part, radix: 10) ? UInt8(part) : nil }
        return bytes.count == 4 ? bytes : nil
    }

    /// One `inet_aton` number: `0x` hex, leading-zero octal, or decimal.
    private static func number(_ text: some StringProtocol) -> UInt32? {
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x") {
            let digits = lowered.dropFirst(2)
            if digits.isEmpty { return 0 }
            return Self.isDigits(digits, radix: 16) ? UInt32(digits, radix: 16) : nil
        }
        if lowered.count > 1 && lowered.hasPrefix("0") {
            let digits = lowered.dropFirst()
            return Self.isDigits(digits, radix: 8) ? UInt32(digits, radix: 8) : nil
        }
        return Self.isDigits(lowered, radix: 10) ? UInt32(lowered, radix: 10) : nil
    }

    /// Non-empty and only ASCII digits of `radix` (the integer initialisers also take a sign).
    private static func isDigits(_ text: some StringProtocol, radix: Int) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }
    }
}
