import Foundation
import Testing

extension ShopStackSuite {
    @Suite("OpenAPI")
    struct OpenAPITests {
        private static let path = "/openapi.json"

        /// Every method and path of API.md, as an OpenAPI document spells them.
        static let contract: [(method: String, path: String)] = [
            // Gateway
            ("get", "/health/live"),
            ("get", "/health/ready"),
            ("get", "/v1/status"),
            ("get", "/openapi.json"),
            // Auth
            ("post", "/v1/auth/register"),
            ("post", "/v1/auth/login"),
            ("post", "/v1/auth/refresh"),
            ("post", "/v1/auth/logout"),
            ("get", "/v1/auth/jwks"),
            // Users
            ("get", "/v1/users/me"),
            ("patch", "/v1/users/me"),
            ("get", "/v1/users/{id}"),
            ("get", "/v1/users"),
            // Products
            ("get", "/v1/products"),
            ("get", "/v1/products/{id}"),
            ("post", "/v1/products"),
            ("patch", "/v1/products/{id}"),
            ("put", "/v1/products/{id}/inventory"),
            ("delete", "/v1/products/{id}"),
            // Payments
            ("post", "/v1/payments/methods"),
            ("get", "/v1/payments/methods"),
            ("get", "/v1/payments"),
            // Orders
            ("post", "/v1/orders"),
            ("get", "/v1/orders/{id}"),
            ("get", "/v1/orders"),
            ("post", "/v1/orders/{id}/cancel"),
            // Notifications
            ("get", "/v1/notifications"),
            ("post", "/v1/notifications/{id}/read"),
            ("post", "/v1/notifications/webhooks"),
        ]

        /// `GET /openapi.json` through the gateway, parsed; throws unless it answers 200 with a JSON object.
        private static func fetchDocument(_ stack: Stack) async throws -> [String: Any] {
            let response = try await stack.http.send(.GET, stack.url(Self.path))
            guard response.status == 200 else {
                throw HarnessError("GET \(Self.path): expected 200, got \(response.status): \(response.text.prefix(500))")
            }
            return try response.jsonObject()
        }

        @Test("GET /openapi.json answers an OpenAPI 3.1 document describing every route of API.md")
        func servesTheDocument() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url(Self.path))
            #expect(response.status == 200, "\(response.text.prefix(500))")
            let contentType = response.contentType ?? "none"
            #expect(contentType.lowercased().hasPrefix("application/json"), "content type: \(contentType)")
            #expect(response.header("Cache-Control") == "public, max-age=300")
            #expect(response.header("X-Request-ID")?.isEmpty == false, "every response carries X-Request-ID")

            let document = try response.jsonObject()
            let version = try #require(document["openapi"] as? String, "openapi: \(response.text.prefix(200))")
            #expect(version.hasPrefix("3.1"), "openapi: \(version)")
            let info = try #require(document["info"] as? [String: Any], "info: \(response.text.prefix(200))")
            #expect((info["title"] as? String)?.isEmpty == false, "info.title")

            let paths = try #require(document["paths"] as? [String: Any], "paths")
            for (method, path) in Self.contract {
                let item = paths[path] as? [String: Any]
                #expect(item?[method] is [String: Any], "the document describes \(method.uppercased()) \(path)")
            }
            let internalPaths = paths.keys.filter { $0 == "/internal" || $0.hasPrefix("/internal/") }
            #expect(internalPaths.isEmpty, "/internal routes are never routed, so never documented: \(internalPaths)")

            let components = try #require(document["components"] as? [String: Any], "components")
            let schemes = try #require(components["securitySchemes"] as? [String: Any], "components.securitySchemes")
            let bearerAuth = try #require(schemes["bearerAuth"] as? [String: Any], "securitySchemes.bearerAuth")
            #expect(bearerAuth["type"] as? String == "http")
            #expect((bearerAuth["scheme"] as? String)?.lowercased() == "bearer")
            #expect(bearerAuth["bearerFormat"] as? String == "JWT")
            let schemas = try #require(components["schemas"] as? [String: Any], "components.schemas")
            for name in ["Money", "Problem", "TokenPair", "Profile", "Product", "Order", "Payment", "Notification", "Status"] {
                #expect(schemas[name] is [String: Any], "components.schemas.\(name)")
            }
        }

        @Test("Every documented GET path without parameters is routed through the gateway")
        func documentedPathsAreRouted() async throws {
            let stack = try Stack.require()
            let document = try await Self.fetchDocument(stack)
            let paths = try #require(document["paths"] as? [String: Any], "paths")
            let customer = try await Session.register(stack)
            let admin = try await Session.admin(stack)

            var checked: [String] = []
            for (path, item) in paths.sorted(by: { $0.key < $1.key }) where !path.contains("{") {
                guard let operation = (item as? [String: Any])?["get"] as? [String: Any] else { continue }
                // Admin routes with the admin's token, every other one with a customer's.
                let needsAdmin = operation["x-auth"] as? String == "admin"
                let token = needsAdmin ? admin.accessToken : customer.accessToken
                let response = try await stack.http.send(.GET, stack.url(path), headers: [bearer(token)])
                #expect(
                    response.status != 404 && response.status != 405,
                    "GET \(path) is documented but answers \(response.status): \(response.text.prefix(300))"
                )
                #expect(response.status == 200, "GET \(path) (\(needsAdmin ? "admin" : "customer")): \(response.text.prefix(300))")
                checked.append(path)
            }
            for route in try await RouteListing.publicRoutes(of: stack) where route.method == "get" && !route.path.contains("{") {
                #expect(checked.contains(route.path), "GET \(route.path) was checked")
            }
        }

        @Test("The document lists exactly the routes the gateway serves: every registered public route, nothing unrouted")
        func documentMatchesTheRegisteredRoutes() async throws {
            let stack = try Stack.require()
            let document = try await Self.fetchDocument(stack)
            let paths = try #require(document["paths"] as? [String: Any], "paths")
            var documented: Set<RouteListing.Route> = []
            for (path, item) in paths {
                let operations = item as? [String: Any] ?? [:]
                for key in operations.keys where RouteListing.methods.contains(key) {
                    documented.insert(RouteListing.Route(method: key, path: path))
                }
            }
            let registered = Set(try await RouteListing.publicRoutes(of: stack))
            // Sanity: the listing found the gateway's own routes and every service's.
            #expect(registered.contains(RouteListing.Route(method: "get", path: "/openapi.json")))
            #expect(registered.contains(RouteListing.Route(method: "post", path: "/v1/orders")))
            #expect(registered.count >= Self.contract.count, "registered public routes: \(registered.sorted())")

            let undocumented = registered.subtracting(documented).sorted()
            let unrouted = documented.subtracting(registered).sorted()
            #expect(undocumented.isEmpty, "registered public routes missing from openapi.json: \(undocumented)")
            #expect(unrouted.isEmpty, "documented in openapi.json but not routed by the gateway: \(unrouted)")
        }

        @Test("The gateway serves the spec file of the repository byte for byte")
        func servesTheSpecFileAsItIs() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url(Self.path))
            #expect(response.status == 200)
            let file = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Services/api-gateway/openapi.json")
            let spec = try Data(contentsOf: file)
            #expect(response.body == spec, "GET /openapi.json (\(response.body.count) bytes) differs from \(file.path) (\(spec.count) bytes)")
        }
    }
}
