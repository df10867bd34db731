import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// Forwards `/v1/<area>/...` to the owning service, streaming bodies both ways.
struct ProxyController: Sendable {
    let client: ServiceClient
    let table: UpstreamTable
    /// Vouches to the services for the client address the gateway sends them.
    let credential: GatewayCredential

    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    func register(on routes: ServiceRoutes) {
        for (path, service) in Self.patterns(for: self.table) {
            for method in Self.methods {
                routes.on(method, path) { request, context in
                    try await self.forward(request, context: context, to: service)
                }
            }
        }
    }

    /// The path patterns the proxy serves and the service each goes to, in registration order:
    /// the credential routes first, as routes of their own, so the router matches them ahead of
    /// their area's catch-all and their rate-limit class follows from the matched route; then
    /// each area's prefix and everything under it.
    static func patterns(for table: UpstreamTable) -> [(path: String, service: String)] {
        let credentials = RouteClass.credentialPaths.compactMap { path in table.service(owning: path).map { (path: path, service: $0) } }
        return credentials + table.routes.flatMap { [(path: $0.prefix, service: $0.service), (path: $0.prefix + "/**", service: $0.service)] }
    }

    func forward(_ request: Request, context: ServiceRequestContext, to service: String) async throws -> Response {
        let target = request.head.path ?? request.uri.path
        guard RequestTarget.isSafe(target) else {
            throw ProblemError.notFound("No route matches \(request.method.rawValue) \(request.uri.path).")
        }
        // The token itself was verified by the authentication middleware; here only its presence.
        if context.identity == nil && !PublicRoutes.contains(request.method, request.uri.path) {
            throw ProblemError.unauthorized("This route needs an access token (Authorization: Bearer).")
        }
        var outbound = HTTPClientRequest(url: target)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        outbound.headers = ForwardedHeaders.request(
            request.headers,
            authority: request.head.authority,
            remoteAddress: context.remoteAddress,
            clientAddress: request.clientAddress(context: context),
            gatewayToken: await self.credential.token(for: service, logger: context.logger)
        )
        // The request body is read whole (bounded by HTTP_MAX_BODY_BYTES: 413 beyond) before the
        // upstream is called, not streamed to it. An upstream may answer from the head alone (405,
        // 401) while the client is still sending the body; Hummingbird then reads the rest of
        // that request itself, and an upload still waiting for the next chunk of the same
        // connection would be a second reader of it, which traps the process.
        let hasBody = request.headers[.contentLength] != nil || request.headers[.transferEncoding] != nil
        if hasBody {
            outbound.body = .bytes(try await request.body.collect(upTo: .max))
        }
        let upstream: HTTPClientResponse
        do {
            // Only a request without a body is sent again: whether repeating a body is safe is
            // not known here (an adjustment sent twice would apply twice).
            let retryable =
                !hasBody
                && RetryPolicy.mayRetry(outbound.method, hasIdempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!] != nil)
            upstream = try await self.client.stream(
                outbound,
                to: service,
                propagating: context.propagationHeaders,
                retryable: retryable,
                logger: context.logger
            )
        } catch {
            throw error.asProblem
        }
        return Response(
            status: .init(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase),
            headers: ForwardedHeaders.response(upstream.headers),
            body: ResponseBody(asyncSequence: upstream.body)
        )
    }
}
