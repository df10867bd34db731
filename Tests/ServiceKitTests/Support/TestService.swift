import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceKit
import Testing

/// A small service on ServiceKit's router, with one route per kind of outcome.
enum TestService {
    struct NewWidget: Codable, Sendable, Equatable, BoundedInput {
        var name: String
        var quantity: Int

        /// The most code points a widget's name may have.
        static let nameLimit = 8

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.name, "name", max: Self.nameLimit)
        }
    }

    struct Correlation: Codable, Sendable {
        var requestID: String
        var traceID: String
        var spanID: String
    }

    /// The text of the error thrown by `GET /v1/boom`; it must never reach a client.
    static let internalSecret = "connection to db-primary:5432 refused (user=shop_admin)"

    struct DatabaseExploded: Error, CustomStringConvertible {
        var description: String { TestService.internalSecret }
    }

    /// Body limit: 64 bytes.
    static func application(logger: Logger) -> some ApplicationProtocol {
        precondition(TestTracing.installed, "the test tracer could not be made")
        let routes = ServiceRoutes(maxBodyBytes: 64)
        routes.get("/v1/widgets/{id}") { _, context in
            JSONResponse(NewWidget(name: context.parameters.get("id") ?? "", quantity: 1))
        }
        routes.delete("/v1/widgets/{id}") { _, _ -> JSONResponse<NewWidget> in
            throw ProblemError.conflict("The widget is still referenced by an order.")
        }
        routes.post("/v1/widgets") { request, context in
            JSONResponse(status: .created, try await request.decodeJSON(as: NewWidget.self, context: context))
        }
        routes.post("/v1/accounts") { _, _ -> JSONResponse<NewWidget> in
            var validator = Validator()
            validator.check(false, "email", "must be an email address")
            validator.check(true, "name", "must not be empty")
            validator.check(false, "age", "must be at least 18")
            try validator.validate()
            return JSONResponse(NewWidget(name: "unreachable", quantity: 0))
        }
        routes.get("/v1/boom") { _, _ -> JSONResponse<NewWidget> in
            throw DatabaseExploded()
        }
        routes.get("/v1/unavailable") { _, _ -> JSONResponse<NewWidget> in
            throw ProblemError.unavailable("The catalogue is being rebuilt.", retryAfterSeconds: 7)
        }
        routes.get("/v1/cancelled") { _, _ -> JSONResponse<NewWidget> in
            throw CancellationError()
        }
        routes.get("/v1/teapot") { _, _ -> JSONResponse<NewWidget> in
            throw HTTPError(.unauthorized, message: "Sign in first.")
        }
        routes.get("/v1/correlation") { _, context in
            // The active span as the HTTP client would send it on: 00-<trace>-<span>-<flags>.
            let parts = (TracePropagation.currentTraceparent() ?? "").split(separator: "-").map(String.init)
            return JSONResponse(
                Correlation(requestID: context.requestID, traceID: parts.count == 4 ? parts[1] : "", spanID: parts.count == 4 ? parts[2] : "")
            )
        }
        return Application(router: routes.router, logger: logger)
    }
}

extension TestResponse {
    /// The body decoded as JSON into `type`.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(buffer: self.body))
    }

    /// The body as text.
    var text: String { String(buffer: self.body) }

    /// Checks everything every problem response must carry and returns the document.
    func problem(
        status: HTTPResponse.Status,
        type: String,
        title: String,
        instance: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProblemDetails {
        #expect(self.status == status, sourceLocation: sourceLocation)
        #expect(self.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try self.decode(ProblemDetails.self)
        #expect(problem.type == type, sourceLocation: sourceLocation)
        #expect(problem.title == title, sourceLocation: sourceLocation)
        #expect(problem.status == Int(status.code), sourceLocation: sourceLocation)
        #expect(!problem.detail.isEmpty, sourceLocation: sourceLocation)
        #expect(problem.instance == instance, sourceLocation: sourceLocation)
        let requestID = try #require(self.headers[.requestID], "no X-Request-ID on the response", sourceLocation: sourceLocation)
        #expect(problem.requestId == requestID, sourceLocation: sourceLocation)
        return problem
    }
}
