import Foundation
import Testing

extension ShopStackSuite {
    @Suite("Gateway routing")
    struct GatewayRoutingTests {
        @Test("GET /health/live and /health/ready answer 200 {\"status\":\"ok\"} on every process", arguments: Stack.allNames)
        func health(of name: String) async throws {
            let stack = try Stack.require()
            for path in ["/health/live", "/health/ready"] {
                let response = try await stack.http.send(.GET, try stack.url(path, on: name))
                #expect(response.status == 200, "\(name) \(path): \(response.text)")
                #expect(response.contentType?.lowercased().hasPrefix("application/json") == true, "\(name) \(path) content type")
                let object = try response.jsonObject()
                #expect(object["status"] as? String == "ok", "\(name) \(path): \(response.text)")
            }
        }

        @Test("The gateway's health answers the same")
        func gatewayHealthThroughItsOwnURL() async throws {
            let stack = try Stack.require()
            for path in ["/health/live", "/health/ready"] {
                let response = try await stack.http.send(.GET, stack.url(path))
                #expect(response.status == 200)
                #expect(try response.jsonObject()["status"] as? String == "ok")
            }
        }

        @Test("GET /v1/status lists all seven services as up")
        func statusListsEveryService() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url("/v1/status"))
            #expect(response.status == 200)
            #expect(response.contentType?.lowercased().hasPrefix("application/json") == true)
            let object = try response.jsonObject()
            #expect(object["status"] as? String == "ok", "\(response.text)")
            let services = try #require(object["services"] as? [[String: Any]], "services array: \(response.text)")
            let statuses = Dictionary(
                services.compactMap { entry -> (String, String)? in
                    guard let name = entry["name"] as? String else { return nil }
                    return (name, entry["status"] as? String ?? "")
                },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(Set(statuses.keys) == Set(Stack.allNames), "service names: \(statuses.keys.sorted())")
            for name in Stack.allNames {
                #expect(statuses[name] == "up", "\(name) should be up: \(response.text)")
            }
        }

        @Test(
            "X-Request-ID is returned as sent, from the gateway itself and from an upstream route",
            arguments: ["/health/live", "/v1/status", "/v1/products?limit=1", "/v1/auth/jwks"]
        )
        func requestIdIsEchoed(path: String) async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url(path), headers: [("X-Request-ID", "abc-123")])
            #expect(response.status == 200, "\(path): \(response.text.prefix(300))")
            #expect(response.header("X-Request-ID") == "abc-123", "\(path)")
        }

        @Test("A request without X-Request-ID gets a fresh one")
        func requestIdIsCreated() async throws {
            let stack = try Stack.require()
            let first = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            let second = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            let firstId = try #require(first.header("X-Request-ID"))
            let secondId = try #require(second.header("X-Request-ID"))
            #expect(!firstId.isEmpty)
            #expect(firstId != secondId, "each request gets its own id")
        }

        @Test("Unknown routes answer 404 problem", arguments: ["/v1/nope", "/nope", "/v1", "/v2/products"])
        func unknownRoute(path: String) async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url(path))
            expectProblem(response, status: 404, path: path)
        }

        /// Sent byte for byte (no URL normalisation on the client side).
        @Test(
            "Internal endpoints are never reachable through the gateway",
            arguments: [
                "/internal/anything",
                "/internal/reservations",
                "/internal/payments/authorize",
                "/v1/../internal/x",
                "/v1/products/../../internal/x",
                "/v1/products/../../internal/reservations",
                "/v1/%2e%2e/internal/x",
                "/v1/%2E%2E/internal/reservations",
                "/v1/products/%2e%2e/%2e%2e/internal/reservations",
                "/v1/..%2finternal/x",
                "//internal/x",
                "/./internal/x",
                "/%69nternal/x",
            ]
        )
        func internalIsNotRouted(target: String) async throws {
            let stack = try Stack.require()
            let get = try RawHTTP.send(port: stack.gatewayPort, method: "GET", target: target)
            #expect(get.status == 404, "GET \(target) must not reach an internal endpoint: \(get.status) \(get.text.prefix(300))")
            expectProblem(get, status: 404, path: nil)

            // An unsafe method must not get through either; a later auth layer may answer 401 first.
            let post = try RawHTTP.send(port: stack.gatewayPort, method: "POST", target: target, headers: [("Content-Length", "0")])
            #expect((400..<500).contains(post.status), "POST \(target): \(post.status) \(post.text.prefix(300))")
            #expect(post.status != 405 || post.header("Allow") != nil)
            expectProblem(post, status: post.status, path: nil)
        }

        @Test("A known path with the wrong method answers 405 problem with Allow (401 first without a token)")
        func wrongMethod() async throws {
            let stack = try Stack.require()
            // Only GET of the key set is public: the gateway asks for a token before anything else.
            let anonymous = try await stack.http.send(.DELETE, stack.url("/v1/auth/jwks"))
            expectProblem(anonymous, status: 401, path: "/v1/auth/jwks")
            let customer = try await Session.register(stack, waitForProfile: false)
            let response = try await stack.http.send(.DELETE, stack.url("/v1/auth/jwks"), headers: [bearer(customer.accessToken)])
            expectProblem(response, status: 405, path: "/v1/auth/jwks")
            let allow = try #require(response.header("Allow"), "405 must say which methods are allowed")
            let methods = allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            #expect(methods.contains("GET"), "Allow: \(allow)")
            #expect(!methods.contains("DELETE"), "Allow: \(allow)")
        }
    }
}
