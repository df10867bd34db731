import Hummingbird
import NIOCore
import ServiceKit

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public API (``OpenAPIDocument``),
/// answered by the gateway itself (public, never proxied), cacheable for five minutes.
struct OpenAPIController: Sendable {
    /// The document's bytes, encoded once.
    static let body = ByteBuffer(string: OpenAPIDocument.json)

    func register(on routes: ServiceRoutes) {
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: Self.body)
            )
        }
    }
}
