import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

/// `X-Request-ID` and `traceparent` handling on the way in and out.
struct RequestCorrelationTests {
    private typealias Correlation = TestService.Correlation

    private func withClient(logs: LogCapture = LogCapture(), _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestService.application(logger: logs.logger(label: "test-service")).test(.router, test)
    }

    private static func isGeneratedID(_ value: String?) -> Bool {
        guard let value, let uuid = UUID(uuidString: value) else { return false }
        return value == uuid.uuidString.lowercased()
    }

    /// `.traceparent` is declared by both HTTPTypes and ServiceKit, so it is ambiguous here.
    private static func traceparent() throws -> HTTPField.Name {
        try #require(HTTPField.Name("traceparent"))
    }

    @Test func aSafeRequestIDIsEchoedAndUsed() async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/correlation", method: .get, headers: [.requestID: "abc-123"]) { response in
                #expect(response.headers[.requestID] == "abc-123")
                let correlation = try response.decode(Correlation.self)
                #expect(correlation.requestID == "abc-123")
            }
            // Error responses carry it too.
            try await client.execute(uri: "/v1/nowhere", method: .get, headers: [.requestID: "abc-124"]) { response in
                #expect(response.headers[.requestID] == "abc-124")
                let problem = try response.decode(ProblemDetails.self)
                #expect(problem.requestId == "abc-124")
            }
        }
    }

    @Test func aRequestIDOf128SafeCharactersIsKept() async throws {
        let id = "Ab0-._:" + String(repeating: "z", count: 121)
        try await self.withClient { client in
            try await client.execute(uri: "/v1/correlation", method: .get, headers: [.requestID: id]) { response in
                #expect(response.headers[.requestID] == id)
            }
        }
    }

    @Test(arguments: [
        "has spaces", String(repeating: "a", count: 200), String(repeating: "a", count: 129), "a/b", "id\"},{\"level\":\"error", "ünïcode",
    ])
    func anUnsafeRequestIDIsReplaced(unsafe: String) async throws {
        try await self.withClient { client in
            try await client.execute(uri: "/v1/correlation", method: .get, headers: [.requestID: unsafe]) { response in
                let echoed = response.headers[.requestID]
                #expect(echoed != unsafe)
                #expect(Self.isGeneratedID(echoed), "\(echoed ?? "nil") is not a lowercase UUID")
                let correlation = try response.decode(Correlation.self)
                #expect(correlation.requestID == echoed)
            }
        }
    }

    @Test func aMissingRequestIDIsGeneratedPerRequest() async throws {
        try await self.withClient { client in
            let first = try await client.execute(uri: "/v1/correlation", method: .get) { $0.headers[.requestID] }
            let second = try await client.execute(uri: "/v1/correlation", method: .get) { $0.headers[.requestID] }
            #expect(Self.isGeneratedID(first))
            #expect(Self.isGeneratedID(second))
            #expect(first != second)
        }
    }

    @Test func aValidTraceparentContinuesTheTrace() async throws {
        let logs = LogCapture()
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let parentSpan = "00f067aa0ba902b7"
        try await self.withClient(logs: logs) { client in
            let headers: HTTPFields = [try Self.traceparent(): "00-\(traceID)-\(parentSpan)-01", .requestID: "trace-req"]
            try await client.execute(uri: "/v1/correlation", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let correlation = try response.decode(Correlation.self)
                #expect(correlation.traceID == traceID)
                #expect(correlation.spanID != parentSpan)
            }
        }
        let lines = try logs.records().filter { $0["requestId"] == "trace-req" }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0["traceId"] == traceID })
    }

    @Test func anInvalidTraceparentStartsANewTrace() async throws {
        let traceID = "4BF92F3577B34DA6A3CE929D0E0E4736"
        try await self.withClient { client in
            let headers: HTTPFields = [try Self.traceparent(): "00-\(traceID)-00f067aa0ba902b7-01"]
            try await client.execute(uri: "/v1/correlation", method: .get, headers: headers) { response in
                let correlation = try response.decode(Correlation.self)
                #expect(correlation.traceID.lowercased() != traceID.lowercased())
                #expect(correlation.traceID.utf8.count == 32 && correlation.spanID.utf8.count == 16)
            }
        }
    }
}
