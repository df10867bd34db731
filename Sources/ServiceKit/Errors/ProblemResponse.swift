import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds `application/problem+json` responses.
public enum ProblemResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Renders a problem document with the error's extra headers.
    public static func make(_ details: ProblemDetails, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = ProblemDetails.mediaType
        // Encoding a struct of strings and ints cannot fail; fall back to a minimal body regardless.
        let body = (try? self.encoder.encode(details)) ?? Data(#"{"title":"Internal server error","status":500}"#.utf8)
        return Response(
            status: .init(code: details.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// Renders an error for a request.
    public static func make(_ error: ProblemError, instance: String?, requestId: String?) -> Response {
        self.make(error.details(instance: instance, requestId: requestId), headers: error.headers)
    }
}
