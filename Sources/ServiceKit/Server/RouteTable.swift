import HTTPTypes
import Synchronization

/// The method and path pattern of every registered route, so an unmatched request can be told
/// apart as 404 (no such path) or 405 (path exists, other method).
public final class RouteTable: Sendable {
    private struct Entry {
        let method: HTTPRequest.Method
        let pattern: String
        let segments: [Substring]
    }

    private let entries = Mutex<[Entry]>([])
    /// Whether paths match patterns regardless of letter case (as the router does then).
    let caseInsensitive: Bool

    public init(caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
    }

    /// Records a route; `pattern` uses Hummingbird's syntax (`/v1/items/{id}` or `:id`, `*`, `**`).
    public func register(_ method: HTTPRequest.Method, _ pattern: String) {
        let entry = Entry(method: method, pattern: pattern, segments: Self.split(self.caseInsensitive ? pattern.lowercased() : pattern))
        self.entries.withLock { $0.append(entry) }
    }

    /// Every registered route as `METHOD pattern` (e.g. `GET /v1/users/{id}`), in registration order.
    public var routes: [String] {
        self.entries.withLock { entries in entries.map { "\($0.method.rawValue) \($0.pattern)" } }
    }

    /// The methods registered for paths matching `path`, in registration order, without duplicates.
    public func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let segments = Self.split(self.caseInsensitive ? path.lowercased() : path)
        return self.entries.withLock { entries in
            var methods: [HTTPRequest.Method] = []
            for entry in entries where Self.matches(entry.segments, segments) && !methods.contains(entry.method) {
                methods.append(entry.method)
            }
            return methods
        }
    }

    private static func split(_ path: String) -> [Substring] {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return pathOnly.split(separator: "/")
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var index = 0
        for (position, part) in pattern.enumerated() {
            if part == "**" { return true }
            guard index < path.count else { return false }
            let isParameter = part == "*" || part.hasPrefix(":") || (part.hasPrefix("{") && part.hasSuffix("}"))
            if !isParameter && part != path[index] { return false }
            index += 1
            if position == pattern.count - 1 { return index == path.count }
        }
        return pattern.isEmpty && path.isEmpty
    }
}
