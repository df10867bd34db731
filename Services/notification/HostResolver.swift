import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks up every address of a host name (or reads an address literal).
protocol HostResolver: Sendable {
    /// Every address `host` resolves to, in the resolver's order of preference, without
    /// duplicates; throws ``HostResolutionFailed`` when it resolves to none.
    func addresses(of host: String) async throws -> [HostAddress]
}

/// A host name that resolved to no address.
struct HostResolutionFailed: Error, Sendable, Equatable, CustomStringConvertible {
    var host: String
    var reason: String
    var description: String { "\(self.host) does not resolve: \(self.reason)" }
}

/// The system's resolver (`getaddrinfo`: /etc/hosts, then DNS, as configured), run on NIO's
/// thread pool because it blocks.
struct SystemHostResolver: HostResolver {
    func addresses(of host: String) async throws -> [HostAddress] {
        try await NIOThreadPool.singleton.runIfActive { try Self.lookUp(host) }
    }

    /// Every IPv4 and IPv6 answer for `host` (no `AI_ADDRCONFIG`: an address of a family this
    /// host cannot reach is still an answer that a check must see).
    static func lookUp(_ host: String) throws -> [HostAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw HostResolutionFailed(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [HostAddress] = []
        var next = list
        while let info = next?.pointee {
            if let address = info.ai_addr.flatMap({ Self.address(of: $0, family: info.ai_family) }), !addresses.contains(address) {
                addresses.append(address)
            }
            next = info.ai_next
        }
        guard !addresses.isEmpty else { throw HostResolutionFailed(host: host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }

    /// The address inside a `sockaddr_in` or `sockaddr_in6`; `nil` for other families.
    private static func address(of socketAddress: UnsafeMutablePointer<sockaddr>, family: Int32) -> HostAddress? {
        switch family {
        case AF_INET:
            let raw = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            return withUnsafeBytes(of: raw) { HostAddress(bytes: $0) }
        case AF_INET6:
            let raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            return withUnsafeBytes(of: raw) { HostAddress(bytes: $0) }
        default:
            return nil
        }
    }
}
