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
    static func isSafe(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path.hasPrefix("/") else { return false }
        let lowered = path.lowercased()
        for marker in ["%2e", "%2f", "%5c", "\\", "//"] where lowered.contains(marker) { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }
}
