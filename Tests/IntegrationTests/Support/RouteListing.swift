import Foundation

/// The routes the executables register, as they print them with `<service> routes`, and the
/// public ones among them: what the gateway answers itself, and what it forwards.
enum RouteListing {
    /// A method (lower case, as OpenAPI spells it) and a path pattern in OpenAPI's syntax.
    struct Route: Hashable, Comparable, CustomStringConvertible {
        let method: String
        let path: String

        var description: String { "\(method.uppercased()) \(path)" }

        static func < (lhs: Route, rhs: Route) -> Bool {
            (lhs.path, lhs.method) < (rhs.path, rhs.method)
        }
    }

    /// The methods an OpenAPI path item may hold.
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Every route `name` registers, from `<SHOP_BIN_DIR>/<name> routes` run with the stack's
    /// environment for it (the same settings the running instance has).
    static func routes(of name: String, in stack: Stack) async throws -> [Route] {
        let logFile = stack.logDirectory.appendingPathComponent("\(name)-routes.log")
        try? FileManager.default.removeItem(at: logFile)
        let process = try ServiceProcess(
            name: name,
            environment: try stack.process(name).environment,
            logFile: logFile,
            arguments: ["routes"]
        )
        try process.start()
        guard let status = await process.waitForExit(timeout: .seconds(30)) else {
            await process.stop()
            throw HarnessError("\(name) routes did not exit within 30 s: \(process.logTail())")
        }
        guard status == 0 else { throw HarnessError("\(name) routes exited with status \(status): \(process.logTail())") }
        let routes = process.logLines().compactMap(Self.parse)
        guard !routes.isEmpty else { throw HarnessError("\(name) routes printed no route: \(process.logTail())") }
        return routes
    }

    /// The public routes of the stack: the gateway's own (not its catch-all forwards), and every
    /// route of a service under a prefix the gateway forwards (`/v1/products/**`), so a route a
    /// service adds is public as soon as it is reachable, documented or not.
    static func publicRoutes(of stack: Stack) async throws -> [Route] {
        let gateway = try await Self.routes(of: Stack.gatewayName, in: stack)
        let forwarded = Set(gateway.filter { $0.path.hasSuffix("/**") }.map { String($0.path.dropLast(3)) })
        guard !forwarded.isEmpty else { throw HarnessError("the gateway forwards no prefix: \(gateway)") }
        func isForwarded(_ route: Route) -> Bool {
            forwarded.contains { route.path == $0 || route.path.hasPrefix($0 + "/") }
        }
        // A gateway route under a forwarded prefix (`/v1/auth/login`, registered on its own for
        // its rate-limit class) is a forward too: what it serves is the service's route.
        var routes = Set(gateway.filter { !$0.path.contains("*") && !isForwarded($0) })
        for name in Stack.serviceNames {
            for route in try await Self.routes(of: name, in: stack) where isForwarded(route) {
                routes.insert(route)
            }
        }
        return routes.sorted()
    }

    /// `GET /v1/users/:id` or `GET /v1/users/{id}` as a route; nil for any other line (logs).
    static func parse(_ line: String) -> Route? {
        let parts = line.split(separator: " ")
        guard parts.count == 2, parts[1].hasPrefix("/") else { return nil }
        let method = parts[0].lowercased()
        guard Self.methods.contains(method) else { return nil }
        let path = parts[1].split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        return Route(method: method, path: path.joined(separator: "/"))
    }
}
