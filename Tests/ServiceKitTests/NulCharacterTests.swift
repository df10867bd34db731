import Foundation
import HummingbirdTesting
import NIOCore
import Testing

@testable import ServiceKit

/// U+0000 never reaches a handler: PostgreSQL cannot store it, so it would end in a 500.
struct NulCharacterTests {
    private typealias NewWidget = TestService.NewWidget

    private func withClient(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestService.application(logger: LogCapture().logger(label: "test-service")).test(.router, test)
    }

    @Test(arguments: [
        #"{"name":"a\u0000b","quantity":1}"#,
        #"{"name":"\u0000","quantity":1}"#,
        #"{"name":"\\\u0000","quantity":1}"#,
        #"{"\u0000":1}"#,
    ])
    func anEscapedNulIsFound(json: String) {
        #expect(NulCharacter.isEscaped(in: ByteBuffer(string: json)))
    }

    @Test(arguments: [
        #"{"name":"a\\u0000b","quantity":1}"#,
        #"{"name":"\u0001\u00a0\u0100","quantity":1}"#,
        #"{"name":"\\","quantity":1}"#,
        #"{"name":"\u000"#,
        #"\"#,
        "",
    ])
    func anythingElseIsNot(json: String) {
        #expect(!NulCharacter.isEscaped(in: ByteBuffer(string: json)))
    }

    @Test func aBodyWithANulIsABadRequest() async throws {
        try await self.withClient { client in
            let body = ByteBuffer(string: #"{"name":"w\u0000","quantity":2}"#)
            try await client.execute(uri: "/v1/widgets", method: .post, body: body) { response in
                let problem = try response.problem(status: .badRequest, type: "/problems/bad-request", title: "Bad request", instance: "/v1/widgets")
                #expect(problem.detail.contains("NUL"))
            }
            // An escaped backslash before `u0000` is text, and the widget is created.
            let text = ByteBuffer(string: #"{"name":"w\\u0000","quantity":2}"#)
            try await client.execute(uri: "/v1/widgets", method: .post, body: text) { response in
                #expect(response.status == .created)
                let widget = try response.decode(NewWidget.self)
                #expect(widget == NewWidget(name: #"w\u0000"#, quantity: 2))
            }
        }
    }

    @Test func aQueryParameterWithANulIsAValidationErrorNamingIt() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/widgets/w-1?q=a%00b&limit=5", method: .get) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets/w-1"
                )
                #expect(problem.errors == [.init(field: "q", message: "must not contain the NUL character (%00)")])
            }
            try await client.execute(uri: "/v1/widgets/w-1?q=a%01b", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
