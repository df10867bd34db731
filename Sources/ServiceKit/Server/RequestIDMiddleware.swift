import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `X-Request-ID`: one id per client request, carried through every service it touches.
    public static var requestID: Self { .init("X-Request-ID")! }
}

/// Accepts or creates the request id, puts it on the logger and echoes `X-Request-ID` on the
/// response. (The trace is ``ServerTracingMiddleware``'s.)
///
/// Outermost middleware: everything inside it, errors included, is logged with the request id.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.acceptableID(request.headers[.requestID]) ?? UUIDv4.string()
        context.logger[metadataKey: "requestId"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }

    /// A caller-supplied id is kept when it is short and made of safe characters, so it can
    /// neither forge log lines nor bloat headers.
    static func acceptableID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 46 || byte == 95 || byte == 58
        }
        return allowed ? value : nil
    }
}
