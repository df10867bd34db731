import Foundation
import Testing

extension ShopStackSuite {
    /// API9:2023 Improper Inventory Management: old, undocumented or internal endpoints.
    @Suite("Attacks: improper inventory management (API9)")
    struct InventoryAttackTests {
        @Test("Calls an undocumented older or newer API version", arguments: ["/v0/products", "/v2/orders", "/api/v1/products", "/v1beta/users"])
        func callsAnotherVersion(path: String) async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url(path))
            expectProblem(response, status: 404, path: path)
        }

        @Test("Reads a service's metrics, health details or debug pages through the gateway")
        func readsServiceInternalsThroughTheGateway() async throws {
            let stack = try Stack.require()
            for path in ["/v1/products/metrics", "/v1/orders/../metrics", "/debug/pprof", "/admin", "/.env", "/v1/users/.git/config"] {
                let response = try await stack.http.send(.GET, stack.url(path))
                #expect([400, 401, 404, 405].contains(response.status), "\(path): \(response.status) \(response.text.prefix(200))")
                Attack.expectNoLeak(response, of: "http_requests_total")
            }
        }

        @Test("Uses a method the contract does not list for a route")
        func usesAnUnlistedMethod() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            for (method, path) in [(RequestMethod.DELETE, "/v1/users/me"), (.PUT, "/v1/orders"), (.DELETE, "/v1/auth/jwks")] {
                let response = try await stack.http.send(method, stack.url(path), headers: [bearer(session.accessToken)])
                #expect([404, 405].contains(response.status), "\(method) \(path): \(response.status)")
            }
            #expect(try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(session.accessToken)]).status == 200)
        }
    }
}
