import HTTPTypes
import Hummingbird

/// Sets the response headers OWASP recommends for a JSON API on every answer, errors included:
/// `X-Content-Type-Options: nosniff` (a browser never reads JSON as HTML or script),
/// `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (an answer rendered by
/// mistake loads nothing and cannot be framed), and `Cache-Control: no-store` on answers to
/// requests that carry credentials, unless the route chose its own caching. A service that serves
/// HTTPS also sends `Strict-Transport-Security: max-age=31536000`, so a browser that has seen it
/// once never again tries plain HTTP (which a machine in the middle could answer).
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    static let contentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"
    static let strictTransportSecurity = "max-age=31536000"

    /// Whether answers carry `Strict-Transport-Security` (only meaningful over HTTPS).
    let sendsStrictTransportSecurity: Bool

    public init(strictTransportSecurity: Bool = false) {
        self.sendsStrictTransportSecurity = strictTransportSecurity
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(
            to: &response.headers,
            credentialed: request.headers[.authorization] != nil,
            strictTransportSecurity: self.sendsStrictTransportSecurity
        )
        return response
    }

    /// Adds the headers to `headers` (replacing any copy from an upstream).
    static func apply(to headers: inout HTTPFields, credentialed: Bool, strictTransportSecurity: Bool = false) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        if credentialed, headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if strictTransportSecurity { headers[.strictTransportSecurity] = Self.strictTransportSecurity }
    }
}
