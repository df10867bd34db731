import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error that renders itself as a problem+json response.
///
/// Throw it from a route handler; ``ProblemMiddleware`` fills in `instance` and `requestId`.
public struct ProblemError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status to answer with.
    public var status: HTTPResponse.Status
    /// The slug appended to `/problems/` to form the problem `type`.
    public var kind: String
    /// The short summary of the kind of problem.
    public var title: String
    /// What went wrong, safe to show to the client.
    public var detail: String
    /// Field errors for a validation problem.
    public var fieldErrors: [ProblemDetails.FieldError]
    /// Extra response headers (e.g. `Retry-After`, `Allow`, `WWW-Authenticate`).
    public var headers: HTTPFields
    /// Extra members of the problem document.
    public var extensions: [String: String]

    public init(
        status: HTTPResponse.Status,
        kind: String,
        title: String,
        detail: String,
        fieldErrors: [ProblemDetails.FieldError] = [],
        headers: HTTPFields = [:],
        extensions: [String: String] = [:]
    ) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
        self.extensions = extensions
    }

    public var description: String { "\(self.status.code) \(self.title): \(self.detail)" }

    /// The problem document for this error on a given request.
    public func details(instance: String?, requestId: String?) -> ProblemDetails {
        ProblemDetails(
            type: "/problems/\(self.kind)",
            title: self.title,
            status: Int(self.status.code),
            detail: self.detail,
            instance: instance,
            requestId: requestId,
            errors: self.fieldErrors.isEmpty ? nil : self.fieldErrors,
            extensions: self.extensions.isEmpty ? nil : self.extensions
        )
    }
}

extension ProblemError {
    /// 400: the request could not be read (malformed JSON, a bad header).
    public static func badRequest(_ detail: String) -> Self {
        .init(status: .badRequest, kind: "bad-request", title: "Bad request", detail: detail)
    }

    /// 404: no such resource (also for resources the caller may not see).
    public static func notFound(_ detail: String = "The requested resource does not exist.") -> Self {
        .init(status: .notFound, kind: "not-found", title: "Not found", detail: detail)
    }

    /// 405 with the methods the path does allow.
    public static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> Self {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return .init(
            status: .methodNotAllowed,
            kind: "method-not-allowed",
            title: "Method not allowed",
            detail: "\(method.rawValue) is not allowed here; use \(allow).",
            headers: [.allow: allow]
        )
    }

    /// 409: the request conflicts with the current state.
    public static func conflict(_ detail: String) -> Self {
        .init(status: .conflict, kind: "conflict", title: "Conflict", detail: detail)
    }

    /// 413: the body is larger than the configured limit.
    public static func contentTooLarge(limit: Int) -> Self {
        .init(
            status: .contentTooLarge,
            kind: "content-too-large",
            title: "Content too large",
            detail: "The request body exceeds the limit of \(limit) bytes."
        )
    }

    /// 422: the request was readable but its content is invalid.
    public static func validation(_ errors: [ProblemDetails.FieldError]) -> Self {
        .init(
            status: .unprocessableContent,
            kind: "validation-error",
            title: "Validation failed",
            detail: "The request has \(errors.count) invalid field\(errors.count == 1 ? "" : "s").",
            fieldErrors: errors
        )
    }

    /// 429 with `Retry-After`: the caller must slow down.
    public static func tooManyRequests(_ detail: String, retryAfterSeconds: Int) -> Self {
        .init(
            status: .tooManyRequests,
            kind: "too-many-requests",
            title: "Too many requests",
            detail: detail,
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// 500: something unexpected; the detail never carries internals.
    public static var internalError: Self {
        .init(
            status: .internalServerError,
            kind: "internal-error",
            title: "Internal server error",
            detail: "An unexpected error occurred. Quote the request id when reporting it."
        )
    }

    /// 503 with `Retry-After`: a dependency is unavailable.
    public static func unavailable(_ detail: String, retryAfterSeconds: Int = 1) -> Self {
        .init(
            status: .serviceUnavailable,
            kind: "service-unavailable",
            title: "Service unavailable",
            detail: detail,
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// 504: a dependency did not answer in time.
    public static func gatewayTimeout(_ detail: String) -> Self {
        .init(status: .gatewayTimeout, kind: "gateway-timeout", title: "Gateway timeout", detail: detail)
    }

    /// 502: a dependency answered with something unusable.
    public static func badGateway(_ detail: String) -> Self {
        .init(status: .badGateway, kind: "bad-gateway", title: "Bad gateway", detail: detail)
    }
}
