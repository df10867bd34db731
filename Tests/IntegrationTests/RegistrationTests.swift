import Foundation
import Testing

extension ShopStackSuite {
    @Suite("Registration and JWKS")
    struct RegistrationTests {
        private static let path = "/v1/auth/register"

        private static func registrationBody(email: String, password: String = "correct horse", name: String = "Alice") -> String {
            """
            {"email":"\(email)","password":"\(password)","name":"\(name)"}
            """
        }

        @Test("Registering trims and lower-cases the email; registering it again answers 409")
        func registersOnce() async throws {
            let stack = try Stack.require()
            let local = "alice+\(UUID().uuidString.lowercased())"
            let typed = "  \(local.capitalized)@Example.COM "
            let expected = "\(local)@example.com"

            let created = try await stack.http.send(.POST, stack.url(Self.path), json: Self.registrationBody(email: typed))
            #expect(created.status == 201, "\(created.text)")
            #expect(created.contentType?.lowercased().hasPrefix("application/json") == true)
            let user = try created.jsonObject()
            let id = try #require(user["id"] as? String, "id: \(created.text)")
            #expect(UUID(uuidString: id) != nil, "id is a UUID: \(id)")
            #expect(user["email"] as? String == expected)
            #expect(user["name"] as? String == "Alice")
            #expect(!created.text.contains("correct horse"), "the password never comes back")
            #expect(user["password"] == nil && user["passwordHash"] == nil)

            let again = try await stack.http.send(.POST, stack.url(Self.path), json: Self.registrationBody(email: typed))
            expectProblem(again, status: 409, path: Self.path)

            // Same address, other spelling: still taken.
            let otherCase = try await stack.http.send(.POST, stack.url(Self.path), json: Self.registrationBody(email: expected.uppercased()))
            expectProblem(otherCase, status: 409, path: Self.path)
            #expect(!again.text.contains("correct horse"))
        }

        @Test("Invalid fields answer 422 naming email, password and name")
        func rejectsInvalidFields() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(
                .POST,
                stack.url(Self.path),
                json: Self.registrationBody(email: "nope", password: "short", name: "")
            )
            expectValidationProblem(response, path: Self.path, fields: ["email", "password", "name"])
        }

        @Test("A password over 128 characters answers 422 naming password")
        func rejectsLongPassword() async throws {
            let stack = try Stack.require()
            let email = "long-\(UUID().uuidString.lowercased())@example.com"
            let response = try await stack.http.send(
                .POST,
                stack.url(Self.path),
                json: Self.registrationBody(email: email, password: String(repeating: "p", count: 129))
            )
            expectValidationProblem(response, path: Self.path, fields: ["password"])
        }

        @Test("Malformed JSON answers 400 problem saying so")
        func rejectsMalformedJSON() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.POST, stack.url(Self.path), json: #"{"email": "#)
            let problem = expectProblem(response, status: 400, path: Self.path)
            let detail = problem?.detail.lowercased() ?? ""
            #expect(detail.contains("malformed") || detail.contains("json"), "detail should say the JSON is malformed: \(detail)")
        }

        @Test("A 2 MiB body answers 413 problem, and the gateway keeps serving")
        func rejectsOversizedBody() async throws {
            let stack = try Stack.require()
            let padding = String(repeating: "a", count: 2 * 1024 * 1024)
            let body = #"{"email":"big@example.com","password":"correct horse","name":"\#(padding)"}"#
            let response = try await stack.http.send(.POST, stack.url(Self.path), json: body)
            expectProblem(response, status: 413, path: Self.path)

            let after = try await stack.http.send(.GET, stack.url("/health/live"))
            #expect(after.status == 200)
        }

        @Test("GET /v1/auth/jwks answers a JWKS")
        func publishesJWKS() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url("/v1/auth/jwks"))
            #expect(response.status == 200, "\(response.text)")
            #expect(response.contentType?.lowercased().contains("json") == true, "content type: \(response.contentType ?? "none")")
            let object = try response.jsonObject()
            #expect(object["keys"] is [Any], "keys is an array: \(response.text)")
        }
    }
}
