import Foundation
import Testing

extension ShopStackSuite {
    /// Errors from the routes of every service, through the gateway, are RFC 9457 problems. The
    /// protected ones are called with a fresh customer's token.
    @Suite("Problem details")
    struct ProblemDetailsTests {
        private static func randomID() -> String { UUID().uuidString.lowercased() }

        @Test("GET /v1/users/{unknown id} answers 404 problem")
        func unknownUser() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack, waitForProfile: false)
            let path = "/v1/users/\(Self.randomID())"
            expectProblem(try await stack.http.send(.GET, stack.url(path), headers: [bearer(customer.accessToken)]), status: 404, path: path)
        }

        @Test("GET /v1/orders/{unknown id} answers 404 problem")
        func unknownOrder() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack, waitForProfile: false)
            let path = "/v1/orders/\(Self.randomID())"
            expectProblem(try await stack.http.send(.GET, stack.url(path), headers: [bearer(customer.accessToken)]), status: 404, path: path)
        }

        @Test("POST /v1/notifications/{unknown id}/read answers 404 problem")
        func unknownNotification() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack, waitForProfile: false)
            let path = "/v1/notifications/\(Self.randomID())/read"
            expectProblem(try await stack.http.send(.POST, stack.url(path), headers: [bearer(customer.accessToken)]), status: 404, path: path)
        }

        @Test("GET /v1/payments?orderId={unknown id} answers an empty page")
        func paymentsOfUnknownOrder() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack, waitForProfile: false)
            let response = try await stack.http.send(
                .GET,
                stack.url("/v1/payments?orderId=\(Self.randomID())"),
                headers: [bearer(customer.accessToken)]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.contentType?.lowercased().hasPrefix("application/json") == true)
            let object = try response.jsonObject()
            let items = try #require(object["items"] as? [Any], "items array: \(response.text)")
            #expect(items.isEmpty)
            #expect(object.keys.contains("nextCursor"), "nextCursor is present (null): \(response.text)")
            #expect(object["nextCursor"] is NSNull, "nextCursor is null: \(response.text)")
        }

        @Test("GET /v1/payments with a malformed orderId answers 422 naming orderId", arguments: ["/v1/payments?orderId=xyz"])
        func paymentsNeedAnOrderId(path: String) async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack, waitForProfile: false)
            expectValidationProblem(
                try await stack.http.send(.GET, stack.url(path), headers: [bearer(customer.accessToken)]),
                path: path,
                fields: ["orderId"]
            )
        }

        @Test("A problem's requestId is the caller's X-Request-ID, from the gateway and from an upstream")
        func problemCarriesCallersRequestId() async throws {
            let stack = try Stack.require()
            for path in ["/v1/nope", "/v1/products/\(Self.randomID())"] {
                let requestId = "problem-\(UUID().uuidString)"
                let response = try await stack.http.send(.GET, stack.url(path), headers: [("X-Request-ID", requestId)])
                #expect(response.header("X-Request-ID") == requestId, "\(path)")
                let problem = expectProblem(response, status: 404, path: path)
                #expect(problem?.requestId == requestId, "\(path)")
            }
        }

        @Test("Errors of each service called directly are problems too")
        func servicesAnswerProblemsDirectly() async throws {
            let stack = try Stack.require()
            for name in Stack.allNames {
                let path = "/v1/does-not-exist-\(Self.randomID())"
                let response = try await stack.http.send(.GET, try stack.url(path, on: name))
                expectProblem(response, status: 404, path: path)
            }
        }
    }
}
