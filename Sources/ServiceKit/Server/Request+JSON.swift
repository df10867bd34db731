import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body, answering 400 for malformed JSON (or a string holding U+0000, which
    /// no text column can store) and 422 for a missing or mistyped field, each with a message
    /// that says what is wrong.
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: ServiceRequestContext) async throws -> Value {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw ProblemError.badRequest("The request body is empty; a JSON object is expected.")
        }
        if NulCharacter.isEscaped(in: buffer) {
            throw ProblemError.badRequest("A string in the body contains the NUL character (\\u0000), which no field accepts.")
        }
        do {
            return try WireJSON.decoder().decode(Value.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
    }

    static func problem(for error: DecodingError) -> ProblemError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("The body is not valid JSON: \(Self.reason(context.underlyingError))")
        case .dataCorrupted(let context):
            return .validation([.init(field: Self.field(context.codingPath), message: context.debugDescription)])
        case .keyNotFound(let key, let context):
            return .validation([.init(field: Self.field(context.codingPath + [key]), message: "is required")])
        case .typeMismatch(let expected, let context):
            let name = Self.field(context.codingPath)
            if name.isEmpty { return .badRequest("The body must be a JSON object.") }
            return .validation([.init(field: name, message: "must be \(Self.describe(expected))")])
        case .valueNotFound(let expected, let context):
            return .validation([.init(field: Self.field(context.codingPath), message: "must be \(Self.describe(expected)), not null")])
        @unknown default:
            return .badRequest("The body could not be decoded.")
        }
    }

    private static func field(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .reduce(into: "") { result, part in
                result += part.hasPrefix("[") || result.isEmpty ? part : "." + part
            }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Bool.Type: "a boolean"
        case is Double.Type: "a number"
        default: "a valid value"
        }
    }

    /// The parser's own account of where the JSON went wrong, when it gives one.
    private static func reason(_ error: (any Error)?) -> String {
        guard let error else { return "it is malformed." }
        let nsError = error as NSError
        if let description = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return description }
        let text = String(describing: error)
        return text.count <= 200 ? "malformed JSON (\(text))." : "it is malformed."
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
