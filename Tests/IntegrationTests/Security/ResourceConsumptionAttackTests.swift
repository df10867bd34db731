import Foundation
import Testing

extension ShopStackSuite {
    /// API4:2023 Unrestricted Resource Consumption: making a service read, store or compute far
    /// more than a request is worth.
    @Suite("Attacks: resource consumption (API4)")
    struct ResourceConsumptionAttackTests {
        @Test("Sends a body larger than any request needs (4 MiB)")
        func sendsAHugeBody() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let padding = String(repeating: "a", count: 4 * 1_048_576)
            for url in [stack.url("/v1/users/me"), try stack.url("/v1/users/me", on: "user")] {
                let response = try await stack.http.send(.PATCH, url, json: #"{"name":"\#(padding)"}"#, headers: [bearer(session.accessToken)])
                expectProblem(response, status: 413, path: "/v1/users/me")
            }
        }

        @Test("Nests JSON arrays 100,000 deep to exhaust the parser's stack")
        func nestsJSONDeeply() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let depth = 100_000
            let body = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            for url in [stack.url("/v1/orders"), try stack.url("/v1/orders", on: "order")] {
                let response = try await stack.http.send(.POST, url, json: body, headers: [bearer(session.accessToken)])
                #expect([400, 413, 422].contains(response.status), "\(url): \(response.status) \(response.text.prefix(200))")
            }
            let alive = try await stack.http.send(.GET, try stack.url("/health/live", on: "order"))
            #expect(alive.status == 200, "the order service is still alive")
        }

        @Test(
            "Asks for a page of a million items",
            arguments: ["/v1/products?limit=1000000", "/v1/orders?limit=100000", "/v1/notifications?limit=-1"]
        )
        func asksForHugePages(path: String) async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let response = try await stack.http.send(.GET, stack.url(path), headers: [bearer(session.accessToken)])
            expectValidationProblem(response, path: String(path.prefix { $0 != "?" }), fields: ["limit"])
        }

        @Test("Orders 10,000 lines in one order")
        func ordersTenThousandLines() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let items = (0..<10_000).map { _ in OrderItem(productId: UUID().uuidString.lowercased(), quantity: 1) }
            let response = try await Orders.submit(stack, session, body: Orders.body(items: items, methodId: UUID().uuidString.lowercased()))
            expectValidationProblem(response, path: "/v1/orders", fields: ["items"])
        }

        @Test("Sends a 200 kB search query")
        func searchesWithAHugeQuery() async throws {
            let stack = try Stack.require()
            let query = String(repeating: "shirt ", count: 35_000)
            let response = try await stack.http.send(.GET, stack.url("/v1/products?q=\(queryEscaped(query))"))
            #expect([400, 414, 422, 431].contains(response.status), "\(response.status): \(response.text.prefix(200))")
        }
    }
}
