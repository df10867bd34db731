import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing

/// Every failure answers `application/problem+json` through ServiceKit's router.
struct ProblemResponseTests {
    private typealias NewWidget = TestService.NewWidget

    private func withClient(logs: LogCapture = LogCapture(), _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestService.application(logger: logs.logger(label: "test-service")).test(.router, test)
    }

    @Test func aSuccessfulRouteAnswersJSONWithARequestID() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets/w-1", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let widget = try response.decode(NewWidget.self)
                #expect(widget == NewWidget(name: "w-1", quantity: 1))
                #expect(response.headers[.requestID]?.isEmpty == false)
            }
        }
    }

    @Test func anUnknownPathIsNotFound() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/nowhere?token=abc", method: .get) { response in
                let problem = try response.problem(status: .notFound, type: "/problems/not-found", title: "Not found", instance: "/v1/nowhere")
                #expect(problem.detail.contains("/v1/nowhere"))
                #expect(!response.text.contains("token=abc"))
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodIsMethodNotAllowed() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets/w-1", method: .patch) { response in
                let problem = try response.problem(
                    status: .methodNotAllowed,
                    type: "/problems/method-not-allowed",
                    title: "Method not allowed",
                    instance: "/v1/widgets/w-1"
                )
                #expect(response.headers[.allow] == "GET, DELETE")
                #expect(problem.detail.contains("PATCH"))
            }
            try await client.execute(uri: "/v1/widgets", method: .get) { response in
                _ = try response.problem(
                    status: .methodNotAllowed,
                    type: "/problems/method-not-allowed",
                    title: "Method not allowed",
                    instance: "/v1/widgets"
                )
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test func aBodyOverTheLimitIsContentTooLarge() async throws {
        try await self.withClient { client in
            let body = #"{"name":"\#(String(repeating: "x", count: 41))","quantity":1}"#
            #expect(body.utf8.count == 65)
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: body)) { response in
                let problem = try response.problem(
                    status: .contentTooLarge,
                    type: "/problems/content-too-large",
                    title: "Content too large",
                    instance: "/v1/widgets"
                )
                #expect(problem.detail.contains("64"))
                #expect(!response.text.contains("xxxx"))
            }
        }
    }

    @Test func aBodyAtTheLimitIsAccepted() async throws {
        try await self.withClient { client in
            let json = #"{"name":"w","quantity":2}"#
            let body = json + String(repeating: " ", count: 64 - json.utf8.count)
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                let widget = try response.decode(NewWidget.self)
                #expect(widget == NewWidget(name: "w", quantity: 2))
            }
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: #"{"name": "w", "#)) { response in
                let problem = try response.problem(status: .badRequest, type: "/problems/bad-request", title: "Bad request", instance: "/v1/widgets")
                #expect(problem.detail.contains("not valid JSON"))
            }
        }
    }

    @Test func anEmptyBodyIsABadRequest() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets", method: .post) { response in
                let problem = try response.problem(status: .badRequest, type: "/problems/bad-request", title: "Bad request", instance: "/v1/widgets")
                #expect(problem.detail.contains("empty"))
            }
        }
    }

    @Test func aBodyThatIsNotAnObjectIsABadRequest() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: "[1, 2]")) { response in
                let problem = try response.problem(status: .badRequest, type: "/problems/bad-request", title: "Bad request", instance: "/v1/widgets")
                #expect(problem.detail.contains("JSON object"))
            }
        }
    }

    @Test func aMissingFieldIsAValidationError() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: #"{"name":"w"}"#)) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets"
                )
                #expect(problem.errors == [.init(field: "quantity", message: "is required")])
            }
        }
    }

    @Test func aFieldOfTheWrongTypeIsAValidationError() async throws {
        try await self.withClient { client in
            let body = ByteBuffer(string: #"{"name":"w","quantity":"three"}"#)
            try await client.execute(uri: "/v1/widgets", method: .post, body: body) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets"
                )
                let error = try #require(problem.errors?.first)
                #expect(problem.errors?.count == 1)
                #expect(error.field == "quantity")
                #expect(error.message.contains("integer"))
            }
        }
    }

    @Test(arguments: [#"{"name":"w","quantity":1.5}"#, #"{"name":"w","quantity":1e300}"#, #"{"name":"w","quantity":-99999999999999999999}"#])
    func aNumberThatFitsNoIntegerIsAValidationErrorNotABadRequest(body: String) async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets", method: .post, body: ByteBuffer(string: body)) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets"
                )
                #expect(problem.errors?.map(\.field) == ["quantity"])
                #expect(problem.errors?.first?.message.contains("integer") == true)
            }
        }
    }

    @Test func aNullFieldIsAValidationError() async throws {
        try await self.withClient { client in
            let body = ByteBuffer(string: #"{"name":null,"quantity":1}"#)
            try await client.execute(uri: "/v1/widgets", method: .post, body: body) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets"
                )
                #expect(problem.errors?.map(\.field) == ["name"])
            }
        }
    }

    @Test func aValidatorReportsEveryFailedField() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/accounts", method: .post) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/accounts"
                )
                #expect(
                    problem.errors == [
                        .init(field: "email", message: "must be an email address"), .init(field: "age", message: "must be at least 18"),
                    ]
                )
                #expect(problem.detail.contains("2 invalid fields"))
            }
        }
    }

    @Test func aThrownProblemErrorKeepsItsStatus() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets/w-1", method: .delete) { response in
                let problem = try response.problem(status: .conflict, type: "/problems/conflict", title: "Conflict", instance: "/v1/widgets/w-1")
                #expect(problem.detail == "The widget is still referenced by an order.")
            }
        }
    }

    @Test func anUnexpectedErrorIsAnOpaque500LoggedWithTheRequestID() async throws {
        let logs = LogCapture()
        try await self.withClient(logs: logs) { client in
            try await client.execute(uri: "/v1/boom", method: .get, headers: [.requestID: "req-500"]) { response in
                let problem = try response.problem(
                    status: .internalServerError,
                    type: "/problems/internal-error",
                    title: "Internal server error",
                    instance: "/v1/boom"
                )
                #expect(problem.requestId == "req-500")
                #expect(!response.text.contains(TestService.internalSecret))
                #expect(!response.text.contains("DatabaseExploded"))
                let marker = try #require(InstanceFailure.fieldName)
                #expect(response.headers[marker] == "true", "an unexpected error is the instance's own failure")
            }
        }
        let errors = try logs.records().filter { $0["level"] == "error" }
        #expect(errors.count == 1)
        let record = try #require(errors.first)
        #expect(record["requestId"] == "req-500")
        #expect(record["service"] == "test-service")
        #expect((record.metadata["error.type"] as? String)?.contains("DatabaseExploded") == true)
    }

    @Test func aProblemErrorsExtraHeadersAreSent() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/unavailable", method: .get) { response in
                let problem = try response.problem(
                    status: .serviceUnavailable,
                    type: "/problems/service-unavailable",
                    title: "Service unavailable",
                    instance: "/v1/unavailable"
                )
                #expect(problem.detail == "The catalogue is being rebuilt.")
                #expect(response.headers[.retryAfter] == "7")
                let marker = try #require(InstanceFailure.fieldName)
                #expect(response.headers[marker] == nil, "a 503 the handler chose is an answer, not an instance failure")
            }
        }
    }

    @Test func cancellationIsServiceUnavailable() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/cancelled", method: .get) { response in
                _ = try response.problem(
                    status: .serviceUnavailable,
                    type: "/problems/service-unavailable",
                    title: "Service unavailable",
                    instance: "/v1/cancelled"
                )
            }
        }
    }

    @Test func aHummingbirdHTTPErrorKeepsItsStatusAndMessage() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/teapot", method: .get) { response in
                let problem = try response.problem(
                    status: .unauthorized,
                    type: "/problems/unauthorized",
                    title: "Unauthorized",
                    instance: "/v1/teapot"
                )
                #expect(problem.detail == "Sign in first.")
            }
        }
    }
}
