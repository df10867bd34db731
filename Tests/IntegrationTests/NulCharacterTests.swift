import Foundation
import Testing

extension ShopStackSuite {
    /// Found by the contract fuzzing: a JSON string or a query value holding U+0000 reached
    /// PostgreSQL (which cannot store it in text) and the request ended in a 500.
    @Suite("NUL characters in requests")
    struct NulCharacterTests {
        @Test("A body string with U+0000 is a 400 on every service that stores text, never a 5xx")
        func bodiesWithANulAreRefused() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack)
            let nul = #"\u0000"#
            let requests: [(RequestMethod, String, String)] = [
                (.POST, "/v1/auth/register", #"{"email":"n\#(nul)ul@example.com","password":"long enough","name":"Nul"}"#),
                (.POST, "/v1/auth/register", #"{"email":"\#(Session.newEmail())","password":"long enough","name":"N\#(nul)ul"}"#),
                (.POST, "/v1/auth/login", #"{"email":"n\#(nul)ul@example.com","password":"long enough"}"#),
                (.PATCH, "/v1/users/me", #"{"name":"N\#(nul)ul"}"#),
                (
                    .POST, "/v1/payments/methods",
                    #"{"cardNumber":"4242424242424242","expMonth":12,"expYear":2040,"cvc":"123","holderName":"N\#(nul)ul"}"#
                ),
            ]
            for (method, path, json) in requests {
                let response = try await stack.http.send(method, stack.url(path), json: json, headers: [bearer(customer.accessToken)])
                #expect(response.status == 400, "\(method) \(path): \(response.status) \(response.text.prefix(300))")
                #expect(response.contentType == "application/problem+json", "\(method) \(path)")
            }
        }

        @Test("A query value with %00 is a 422 naming the parameter, never a 5xx")
        func queriesWithANulAreRefused() async throws {
            let stack = try Stack.require()
            for query in ["q=blue%00shirt", "category=app%00arel"] {
                let response = try await stack.http.send(.GET, stack.url("/v1/products?\(query)"))
                #expect(response.status == 422, "GET /v1/products?\(query): \(response.status) \(response.text.prefix(300))")
                let errors = try response.jsonObject()["errors"] as? [[String: Any]]
                let name = String(query.prefix { $0 != "=" })
                #expect(errors?.first?["field"] as? String == name, "\(response.text.prefix(300))")
            }
        }
    }
}
