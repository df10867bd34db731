import Foundation
import Testing

/// One `errors[]` entry of a validation problem.
struct FieldError: Sendable, Equatable {
    let field: String
    let message: String
}

/// The parts of an `application/problem+json` body the tests look at.
struct Problem: Sendable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let instance: String
    let requestId: String
    let errors: [FieldError]?
}

/// Expects `response` to be an RFC 9457 problem with HTTP status `status`: problem+json content type,
/// `type`, `title`, `status` (equal to the HTTP status), `detail`, `instance` (the request path; pass nil
/// when the path is not well defined) and `requestId` equal to the `X-Request-ID` header.
/// Returns the parsed problem, or nil when the body is not a JSON object.
@discardableResult
func expectProblem(
    _ response: HTTPResult,
    status: Int,
    path: String?,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Problem? {
    #expect(response.status == status, "HTTP status; body: \(response.text.prefix(500))", sourceLocation: sourceLocation)
    let contentType = response.contentType ?? ""
    #expect(
        contentType.lowercased().hasPrefix("application/problem+json"),
        "content type '\(contentType)' should be application/problem+json",
        sourceLocation: sourceLocation
    )
    let requestIdHeader = response.header("X-Request-ID")
    #expect(requestIdHeader?.isEmpty == false, "error responses carry X-Request-ID too", sourceLocation: sourceLocation)

    guard let object = try? response.jsonObject() else {
        Issue.record("problem body is not a JSON object: \(response.text.prefix(500))", sourceLocation: sourceLocation)
        return nil
    }
    let type = object["type"] as? String
    let title = object["title"] as? String
    let detail = object["detail"] as? String
    let instance = object["instance"] as? String
    let requestId = object["requestId"] as? String
    // A JSON integer: a string "404" or 404.5 does not count.
    let bodyStatus = object["status"] as? Int
    #expect(type?.isEmpty == false, "problem.type should be a non-empty string: \(object)", sourceLocation: sourceLocation)
    #expect(title?.isEmpty == false, "problem.title should be a non-empty string: \(object)", sourceLocation: sourceLocation)
    #expect(bodyStatus == status, "problem.status should be the integer \(status): \(object)", sourceLocation: sourceLocation)
    #expect(detail?.isEmpty == false, "problem.detail should be a non-empty string: \(object)", sourceLocation: sourceLocation)
    #expect(instance != nil, "problem.instance should be a string: \(object)", sourceLocation: sourceLocation)
    if let path, let instance {
        // The path, possibly with its query string.
        let pathOnly = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        #expect(
            instance == pathOnly || instance == path,
            "problem.instance '\(instance)' should be the request path '\(pathOnly)'",
            sourceLocation: sourceLocation
        )
    }
    #expect(requestId != nil, "problem.requestId should be a string: \(object)", sourceLocation: sourceLocation)
    #expect(
        requestId == requestIdHeader,
        "problem.requestId '\(requestId ?? "nil")' should equal the X-Request-ID header '\(requestIdHeader ?? "nil")'",
        sourceLocation: sourceLocation
    )

    var errors: [FieldError]?
    if let rawErrors = object["errors"] {
        let list = rawErrors as? [[String: Any]]
        #expect(list != nil, "problem.errors should be an array of objects: \(rawErrors)", sourceLocation: sourceLocation)
        errors = list?.map { FieldError(field: $0["field"] as? String ?? "", message: $0["message"] as? String ?? "") }
    }
    return Problem(
        type: type ?? "",
        title: title ?? "",
        status: bodyStatus ?? 0,
        detail: detail ?? "",
        instance: instance ?? "",
        requestId: requestId ?? "",
        errors: errors
    )
}

/// Expects a 422 problem whose `errors` name each of `fields`, each with a non-empty message.
func expectValidationProblem(
    _ response: HTTPResult,
    path: String,
    fields: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let problem = expectProblem(response, status: 422, path: path, sourceLocation: sourceLocation) else { return }
    guard let errors = problem.errors else {
        Issue.record("422 problem without an errors array: \(response.text.prefix(500))", sourceLocation: sourceLocation)
        return
    }
    for field in fields {
        let entry = errors.first { $0.field == field }
        #expect(entry != nil, "errors should name field '\(field)': \(errors)", sourceLocation: sourceLocation)
        #expect(entry?.message.isEmpty == false, "errors['\(field)'] should have a message", sourceLocation: sourceLocation)
    }
}
