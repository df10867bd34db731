import Foundation
import Hummingbird
import NIOCore
import ServiceKit

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public API, answered by the gateway
/// itself (public, never proxied), cacheable for five minutes.
///
/// The document is `openapi.json` beside this file, the one source of the contract: a resource
/// of this target, read once at start and served byte for byte as it is in the repository.
struct OpenAPIController: Sendable {
    /// The document's bytes.
    let body: ByteBuffer

    init(document: ByteBuffer) {
        self.body = document
    }

    /// Reads the document from the gateway's resource bundle (`swift-shop_GatewayService.resources`
    /// beside the executable, or in the build folder); a missing or unreadable one stops the start.
    static func loadDocument() throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw StartupError("openapi.json is missing from the gateway's resource bundle \(Bundle.module.bundlePath)")
        }
        do {
            return ByteBuffer(bytes: try Data(contentsOf: url))
        } catch {
            throw StartupError("cannot read the OpenAPI document \(url.path): \(error)")
        }
    }

    func register(on routes: ServiceRoutes) {
        let body = self.body
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: body)
            )
        }
    }
}
