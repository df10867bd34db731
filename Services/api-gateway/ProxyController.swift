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

    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    func register(on routes: ServiceRoutes) {
        for route in self.table.routes {
            for method in Self.methods {
                for path in [route.prefix, route.prefix + "/**"] {
                    routes.on(method, path) { request, context in
                        try await self.forward(request, context: context, to: route.service)
                    }
                }
            }
        }
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
        outbound.headers = ForwardedHeaders.request(request.headers, authority: request.head.authority, remoteAddress: context.remoteAddress)
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            outbound.body = .stream(request.body, length: .known(Int64(length)))
        } else if request.headers[.transferEncoding] != nil {
            outbound.body = .stream(request.body, length: .unknown)
        }
        let upstream: HTTPClientResponse
        do {
            // Only a request without a body can be sent again (a streamed body is read once).
            let retryable =
                outbound.body == nil
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
