import Foundation
import ServiceKit

/// Where one webhook request goes: the URL's host and the one address the request connects to,
/// checked. ``WebhookHTTPClients`` makes the connection to exactly this address (the HTTP
/// client's DNS override; TLS still verifies the host name), so the name is not looked up a
/// second time between the check and the connection and cannot be rebound to an internal
/// address in between.
struct WebhookDestination: Hashable, Sendable, CustomStringConvertible {
    /// The host as the HTTP client reads it from the URL (an IPv6 literal without brackets).
    var host: String
    var address: HostAddress

    var description: String { "\(self.host) at \(self.address)" }
}

/// Why a webhook's URL may not be called now.
enum WebhookDestinationRefused: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL
    case unresolvable(host: String, reason: String)
    /// One of the host's addresses is internal (``HostAddress/isInternal``).
    case internalAddress(host: String, address: HostAddress)

    var description: String {
        switch self {
        case .invalidURL: "the URL cannot be parsed"
        case .unresolvable(let host, let reason): "\(host) does not resolve (\(reason))"
        case .internalAddress(let host, let address): "\(host) resolves to the internal address \(address); refused"
        }
    }

    /// The message of a registration refused for this reason (field `url`).
    var fieldMessage: String {
        switch self {
        case .invalidURL: "must be an absolute http or https URL"
        case .unresolvable: "must have a host name that resolves"
        case .internalAddress: "must not point to a host that resolves to a loopback, private, link-local or otherwise internal address"
        }
    }
}

/// Turns a webhook URL into its ``WebhookDestination``: resolves the host (with a time limit)
/// and, unless private hosts are allowed, refuses it when **any** of its addresses is internal,
/// so a name with one public and one internal answer cannot be used to reach the internal one.
/// Used when a webhook is registered and again at every delivery attempt.
struct WebhookDestinationResolver: Sendable {
    let resolver: any HostResolver
    let allowPrivateHosts: Bool
    /// The limit of one lookup.
    let timeout: Duration

    func destination(of url: String) async throws(WebhookDestinationRefused) -> WebhookDestination {
        guard let host = Self.host(of: url) else { throw .invalidURL }
        let addresses: [HostAddress]
        do {
            let resolver = self.resolver
            addresses = try await withDeadline(self.timeout) { try await resolver.addresses(of: host) }
        } catch let failure as HostResolutionFailed {
            throw .unresolvable(host: host, reason: failure.reason)
        } catch is DeadlineExceeded {
            throw .unresolvable(host: host, reason: "no answer within \(self.timeout)")
        } catch {
            throw .unresolvable(host: host, reason: "\(error)")
        }
        guard let first = addresses.first else { throw .unresolvable(host: host, reason: "no address") }
        if !self.allowPrivateHosts, let inside = addresses.first(where: \.isInternal) {
            throw .internalAddress(host: host, address: inside)
        }
        return WebhookDestination(host: host, address: first)
    }

    /// The URL's host exactly as AsyncHTTPClient takes it (`URL.host`, IPv6 brackets removed),
    /// so that the DNS override is keyed by the name the client would otherwise resolve.
    static func host(of url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = parsed.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 {
            host = String(host.dropFirst().dropLast())
        }
        return host.isEmpty ? nil : host
    }
}
