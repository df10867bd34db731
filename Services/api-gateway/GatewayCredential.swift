import Logging
import ServiceKit
import Synchronization

/// The gateway's proof to the services behind it that a request, and the `X-Client-Address` it
/// carries, come from the gateway: the gateway's own service token (client credentials as
/// `api-gateway`, `SERVICE_CLIENT_SECRET`), sent as `X-Gateway-Token` (see `GatewayTokenCheck`).
///
/// The gateway's only use of `ServiceTokenSource`. Without credentials, or for a few seconds
/// after a failed fetch, requests go on without a token: the services then take the gateway
/// itself as the client (one shared login throttle), the safe side, and no request waits on auth.
final class GatewayCredential: Sendable {
    let tokens: ServiceTokenSource?
    let time: TimeSource
    /// How long after a failed fetch requests go without a token before the next try.
    let pauseAfterFailure: Duration
    private let failedAt = Mutex<ContinuousClock.Instant?>(nil)

    init(tokens: ServiceTokenSource?, time: TimeSource = .continuous, pauseAfterFailure: Duration = .seconds(5)) {
        self.tokens = tokens
        self.time = time
        self.pauseAfterFailure = pauseAfterFailure
    }

    /// The token to send with a request proxied to `service` (its audience: a token is good only
    /// at the service it names), or `nil` when there is none right now.
    func token(for service: String, logger: Logger) async -> String? {
        guard let tokens else { return nil }
        let now = self.time.now
        if let failed = self.failedAt.withLock({ $0 }), now - failed < self.pauseAfterFailure { return nil }
        do {
            let token = try await tokens.token(for: service, logger: logger)
            self.failedAt.withLock { $0 = nil }
            return token
        } catch {
            self.failedAt.withLock { $0 = now }
            logger.warning("no gateway token: services take the gateway as every client's address for now", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
