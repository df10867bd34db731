import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A JSON response with a chosen status (Hummingbird's `EditedResponse` without the ceremony).
public struct JSONResponse<Body: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: Body

    public init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], _ body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(self.body))))
    }
}
