import Foundation
import Hummingbird
import NIOCore
import ServiceKit

/// `GET /v1/auth/jwks`: the public keys that verify access tokens.
struct KeySetController: Sendable {
    let accounts: AccountRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/auth/jwks") { _, context in
            // Keys are stored as JWK JSON; the set is assembled without re-encoding them.
            let keys = try await self.accounts.publicKeys(logger: context.logger)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"keys\":[" + keys.joined(separator: ",") + "]}"))
            )
        }
    }
}
