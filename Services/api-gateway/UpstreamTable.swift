import HTTPTypes

/// Which service owns which public path prefix.
struct UpstreamTable: Sendable {
    struct Route: Sendable {
        /// The public prefix, e.g. `/v1/products`.
        let prefix: String
        /// The owning service's name.
        let service: String
    }

    let routes: [Route]

    /// The services behind the gateway, in display order.
    var services: [String] { self.routes.map(\.service) }

    /// The service whose prefix `path` is, or is under.
    func service(owning path: String) -> String? {
        self.routes.first { path == $0.prefix || path.hasPrefix($0.prefix + "/") }?.service
    }

    /// API.md's areas.
    static let standard = UpstreamTable(routes: [
        Route(prefix: "/v1/auth", service: "auth"),
        Route(prefix: "/v1/users", service: "user"),
        Route(prefix: "/v1/products", service: "product"),
        Route(prefix: "/v1/orders", service: "order"),
        Route(prefix: "/v1/payments", service: "payment"),
        Route(prefix: "/v1/notifications", service: "notification"),
    ])
}

/// The routes anyone may call without an access token; every other proxied route needs one
/// (the owning service checks it again, and decides roles and ownership).
enum PublicRoutes {
    /// Whether `method path` (path without query) is public.
    static func contains(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let trimmed = Array(segments.last == "" ? segments.dropLast() : segments)
        switch (method, trimmed.count) {
        case (.post, 3) where trimmed[0] == "v1" && trimmed[1] == "auth":
            return ["register", "login", "refresh", "logout"].contains(trimmed[2])
        case (.get, 3), (.head, 3):
            return trimmed[0] == "v1" && ((trimmed[1] == "auth" && trimmed[2] == "jwks") || trimmed[1] == "products")
        case (.get, 2), (.head, 2):
            return trimmed[0] == "v1" && trimmed[1] == "products"
        default:
            return false
        }
    }
}

/// Rejects request targets that could climb out of their prefix once an upstream normalises
/// them (`..`, `.`, encoded slashes or dots, backslashes), so `/internal` can never be reached.
enum RequestTarget {
    /// One pass over the path's bytes (the query is not looked at); no allocation.
    static func isSafe(_ target: String) -> Bool {
        var path = target.utf8[...]
        if let query = path.firstIndex(of: UInt8(ascii: "?")) { path = path[..<query] }
        guard path.first == UInt8(ascii: "/") else { return false }
        var previous: UInt8 = 0
        // Bytes of the current segment, while it is only dots (a longer segment never counts).
        var dots = 0
        var segmentLength = 0
        var index = path.startIndex
        while index != path.endIndex {
            let byte = path[index]
            switch byte {
            case UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") || Self.isDotSegment(dots: dots, length: segmentLength) { return false }
                dots = 0
                segmentLength = 0
            case UInt8(ascii: "%"):
                // %2e (dot), %2f (slash), %5c (backslash), in either case.
                let next = path.index(after: index)
                if next != path.endIndex {
                    let last = path.index(after: next)
                    if last != path.endIndex {
                        let pair = (path[next], path[last] | 0x20)
                        if pair == (UInt8(ascii: "2"), UInt8(ascii: "e")) || pair == (UInt8(ascii: "2"), UInt8(ascii: "f"))
                            || pair == (UInt8(ascii: "5"), UInt8(ascii: "c"))
                        {
                            return false
                        }
                    }
                }
                segmentLength += 1
            case UInt8(ascii: "."):
                dots += 1
                segmentLength += 1
            default:
                segmentLength += 1
            }
            previous = byte
            index = path.index(after: index)
        }
        return !Self.isDotSegment(dots: dots, length: segmentLength)
    }

    /// A segment that is `.` or `..`.
    private static func isDotSegment(dots: Int, length: Int) -> Bool {
        length > 0 && length <= 2 && dots == length
    }
}
