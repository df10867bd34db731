import Contracts
import Crypto
import Foundation
import HTTPTypes
import Logging
import Synchronization

extension HTTPField.Name {
    /// `X-Client-Address`: the client's address as the gateway derived it. The gateway always
    /// overwrites it; services believe it only next to a valid ``gatewayToken``.
    public static var clientAddress: Self { .init("X-Client-Address")! }
    /// `X-Gateway-Token`: the gateway's own service token, proving that a request (and its
    /// ``clientAddress``) comes from the gateway.
    public static var gatewayToken: Self { .init("X-Gateway-Token")! }
}

/// Decides whether a request comes from the gateway: its `X-Gateway-Token` must be a service
/// token that auth issued to the client `api-gateway` for this service (the audience) with the
/// scope `client-address.assert`, verified like any access token.
///
/// Tokens that passed are remembered until they expire (a few at once: every gateway replica has
/// its own), so the signature is checked once per token, not once per request.
public final class GatewayTokenCheck: Sendable {
    /// Verifies a token; throws for an invalid one.
    public typealias Verify = @Sendable (String, Logger) async throws -> Identity

    /// The client id the gateway obtains its token with.
    public static let gatewayClientID = "api-gateway"
    /// Tokens remembered at most.
    static let capacity = 16

    let verify: Verify
    let now: @Sendable () -> Date
    /// SHA-256 of each accepted token, with its expiry.
    private let accepted = Mutex<[Data: Date]>([:])

    public init(verify: @escaping Verify, now: @escaping @Sendable () -> Date = { Date() }) {
        self.verify = verify
        self.now = now
    }

    public convenience init(verifier: TokenVerifier) {
        self.init(verify: { token, logger in try await verifier.verify(token, logger: logger) })
    }

    /// Whether `token` is a valid, unexpired token of the gateway.
    public func accepts(_ token: String, logger: Logger) async -> Bool {
        guard token.utf8.count <= 8192 else { return false }
        let digest = Data(SHA256.hash(data: Data(token.utf8)))
        let now = self.now()
        let remembered = self.accepted.withLock { accepted -> Bool in
            guard let expiry = accepted[digest] else { return false }
            if expiry > now { return true }
            accepted[digest] = nil
            return false
        }
        if remembered { return true }
        let identity: Identity
        do {
            identity = try await self.verify(token, logger)
        } catch {
            logger.info("gateway token rejected; the client address header is ignored", metadata: ["reason": "\(error)"])
            return false
        }
        // Only auth signs tokens; the verifier accepts service tokens addressed to this service
        // only, and auth grants this scope to the gateway's client credentials alone.
        guard identity.isService, identity.subject == Self.gatewayClientID, identity.scopes.contains(.clientAddressAssert),
            let expiry = Self.expiry(of: token), expiry > now
        else {
            logger.info("a token that is not the gateway's came as a gateway token; the client address header is ignored")
            return false
        }
        self.accepted.withLock { accepted in
            if accepted.count >= Self.capacity {
                accepted = accepted.filter { $0.value > now }
                if accepted.count >= Self.capacity, let oldest = accepted.min(by: { $0.value < $1.value }) { accepted[oldest.key] = nil }
            }
            accepted[digest] = expiry
        }
        return true
    }

    private struct Expiry: Decodable {
        var exp: Double
    }

    /// The `exp` of a token whose signature was already verified.
    private static func expiry(of token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
            let claims = try? JSONDecoder().decode(Expiry.self, from: payload), claims.exp.isFinite
        else { return nil }
        return Date(timeIntervalSince1970: claims.exp)
    }
}
