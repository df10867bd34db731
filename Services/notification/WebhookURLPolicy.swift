import Foundation
import ServiceKit

/// Which URLs a webhook may point to, by their text: absolute http(s) URLs of at most 2048
/// characters with a host, and (SSRF protection) unless private hosts are allowed, not
/// `localhost` nor a literal address in an internal range (``HostAddress/isInternal``).
///
/// Host names that resolve to internal addresses are caught by ``WebhookDestination``, when a
/// webhook is registered and again at every delivery, on the address the delivery connects to.
struct WebhookURLPolicy: Sendable, Equatable {
    var allowPrivateHosts: Bool

    static let maximumLength = 2048

    /// Why `url` is refused, as a field message; `nil` when it is acceptable.
    func problem(with url: String) -> String? {
        guard url.utf8.count <= Self.maximumLength else { return "must be at most \(Self.maximumLength) characters" }
        // Parsers disagree about a backslash: URLComponents reads `http://127.0.0.1\@example.com/`
        // as user info and the host example.com, a browser-style parser as the host 127.0.0.1.
        guard !url.utf8.contains(UInt8(ascii: "\\")) else { return "must not contain a backslash" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "must be an absolute http or https URL" }
        guard let host = components.percentEncodedHost, !host.isEmpty else { return "must have a host" }
        if host.hasPrefix("[") {
            // A bracketed IPv6 literal; zone ids (`%25eth0`) are never acceptable.
            guard host.hasSuffix("]"), let address = HostAddress.ipv6(host.dropFirst().dropLast()) else {
                return "must have a valid host"
            }
            return !self.allowPrivateHosts && address.isInternal ? Self.internalHost : nil
        }
        guard host.utf8.allSatisfy(Self.isHostNameByte) else {
            return "must have a host name of letters, digits, dots and hyphens (international names in punycode)"
        }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("..") else { return "must have a valid host" }
        if let address = HostAddress.ipv4(name) {
            return !self.allowPrivateHosts && address.isInternal ? Self.internalHost : nil
        }
        // A name whose last label is numeric is an address spelling the resolver would refuse.
        if let last = name.split(separator: ".").last, last.first?.isNumber == true, last.allSatisfy({ $0.isHexDigit || $0 == "x" }) {
            return "must have a valid host"
        }
        if !self.allowPrivateHosts && (name == "localhost" || name.hasSuffix(".localhost")) { return Self.internalHost }
        return nil
    }

    /// Adds a field error for `url` to `validator` when it is refused.
    func check(_ url: String, field: String, in validator: inout Validator) {
        if let problem = self.problem(with: url) { validator.check(false, field, problem) }
    }

    private static let internalHost = "must not point to localhost or a loopback, private or link-local address"

    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"): true
        default: false
        }
    }
}
