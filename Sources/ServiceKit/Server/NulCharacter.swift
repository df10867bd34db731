import Hummingbird
import NIOCore

/// U+0000 in request text. PostgreSQL's text types cannot store it, so a NUL that reached a
/// statement would fail it and the request would end in a 500; it is refused at the edge.
enum NulCharacter {
    /// Whether JSON text holds a string with U+0000. JSON can only write it as the escape
    /// `\u0000` (a raw control character is malformed JSON, which the decoder refuses); an
    /// escaped backslash followed by `u0000` is ordinary text and does not count.
    static func isEscaped(in json: ByteBuffer) -> Bool {
        let bytes = json.readableBytesView
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            let escaped = index + 1
            guard escaped < bytes.endIndex else { return false }
            if bytes[escaped] == UInt8(ascii: "u") {
                let digits = (escaped + 1)..<min(escaped + 5, bytes.endIndex)
                if digits.count == 4 && digits.allSatisfy({ bytes[$0] == UInt8(ascii: "0") }) { return true }
            }
            // Skips the escaped character, so `\\` never starts another escape.
            index = escaped + 1
        }
        return false
    }
}

/// Answers 422 for a query parameter that holds U+0000 (`%00`), naming it, before any route
/// reads it.
struct NulCharacterMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var errors: [ProblemDetails.FieldError] = []
        for (name, value) in request.uri.queryParameters {
            // Names are not percent-decoded, values are.
            if value.contains("\0") || name.lowercased().contains("%00") {
                errors.append(.init(field: String(name), message: "must not contain the NUL character (%00)"))
            }
        }
        if !errors.isEmpty { throw ProblemError.validation(errors) }
        return try await next(request, context)
    }
}
