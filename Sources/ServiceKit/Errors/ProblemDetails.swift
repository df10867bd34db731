import Foundation

/// An RFC 9457 problem document, the body of every error response (`application/problem+json`).
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// One failed field of a request body or query, for 422 responses.
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// A URI reference naming the kind of problem, e.g. `/problems/validation-error`.
    public var type: String
    /// A short summary of the kind of problem; the same for every occurrence of `type`.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What went wrong this time, readable by a person. Never contains secrets or internals.
    public var detail: String
    /// The request path this problem occurred on.
    public var instance: String?
    /// The `X-Request-ID` of the request, for finding it in the logs.
    public var requestId: String?
    /// Per-field validation errors.
    public var errors: [FieldError]?
    /// Extra members a specific problem type defines (e.g. health checks).
    public var extensions: [String: String]?

    public init(
        type: String,
        title: String,
        status: Int,
        detail: String,
        instance: String? = nil,
        requestId: String? = nil,
        errors: [FieldError]? = nil,
        extensions: [String: String]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.requestId = requestId
        self.errors = errors
        self.extensions = extensions
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Extension members are written at the top level, as RFC 9457 defines them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: MemberKey.self)
        for (key, value) in (self.extensions ?? [:]).sorted(by: { $0.key < $1.key }) {
            try container.encode(value, forKey: MemberKey(stringValue: key))
        }
        try container.encode(self.type, forKey: MemberKey(stringValue: "type"))
        try container.encode(self.title, forKey: MemberKey(stringValue: "title"))
        try container.encode(self.status, forKey: MemberKey(stringValue: "status"))
        try container.encode(self.detail, forKey: MemberKey(stringValue: "detail"))
        try container.encodeIfPresent(self.instance, forKey: MemberKey(stringValue: "instance"))
        try container.encodeIfPresent(self.requestId, forKey: MemberKey(stringValue: "requestId"))
        try container.encodeIfPresent(self.errors, forKey: MemberKey(stringValue: "errors"))
    }

    /// The media type of a problem document.
    public static let mediaType = "application/problem+json"
}
