import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body, answering 400 for malformed JSON (or a string holding U+0000, which
    /// no text column can store) and 422 naming the field for a missing or mistyped one, a
    /// number its field cannot hold (see ``JSONBody``), or a string or array over its maximum
    /// (see ``BoundedInput``): whatever the route does next works on bounded input.
    public func decodeJSON<Value: Decodable & BoundedInput>(as type: Value.Type, context: ServiceRequestContext) async throws -> Value {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw ProblemError.badRequest("The request body is empty; a JSON object is expected.")
        }
        if NulCharacter.isEscaped(in: buffer) {
            throw ProblemError.badRequest("A string in the body contains the NUL character (\\u0000), which no field accepts.")
        }
        let value = try JSONBody.decode(Value.self, from: Data(buffer: buffer))
        try value.validateBounds()
        return value
    }
}

/// Collects field errors of a request and throws one 422 problem with all of them.
public struct Validator: Sendable {
    public private(set) var errors: [ProblemDetails.FieldError] = []

    public init() {}

    /// Records an error for `field` unless `condition` holds.
    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { self.errors.append(.init(field: field, message: message)) }
    }

    /// Throws a 422 problem when any check failed.
    public func validate() throws {
        if !self.errors.isEmpty { throw ProblemError.validation(self.errors) }
    }
}
