import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// `GET /v1/auth/jwks`: the public keys that verify access tokens; `POST /v1/auth/keys/rotate`
/// (admin): a new key signs from now on.
struct KeySetController: Sendable {
    let store: SigningKeyStore
    let ring: SigningKeyRing

    struct Rotated: Encodable, Sendable {
        var kid: String
    }

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/auth/jwks") { _, context in
            // Keys are stored as JWK JSON; the set is assembled without re-encoding them.
            let keys = try await self.store.publicKeys(logger: context.logger)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=60"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"keys\":[" + keys.joined(separator: ",") + "]}"))
            )
        }
        routes.post("/v1/auth/keys/rotate") { _, context in
            _ = try context.requireAdmin()
            let key = try await self.ring.rotate(logger: context.logger)
            return JSONResponse(status: .created, Rotated(kid: key.kid))
        }
    }
}

/// Auth verifies tokens with its own key set, read from its database rather than over HTTP.
struct StoredKeySetSource: KeySetSource {
    let store: SigningKeyStore

    func fetchKeySet(logger: Logger) async throws -> String {
        "{\"keys\":[" + (try await self.store.publicKeys(logger: logger)).joined(separator: ",") + "]}"
    }
}
