import Logging
import NIOCore
import NIOHTTP1

/// Calls to other services' `/internal` endpoints, authenticated with this service's token for
/// the service called (its audience) and carrying an idempotency key. A 401 (the token expired
/// early, or auth's keys rotated) drops the cached token and tries once more with a fresh one;
/// a 403 (the token lacks the route's scope) is an answer, not retried.
public struct InternalClient: Sendable {
    let client: ServiceClient
    let tokens: ServiceTokenSource

    public init(client: ServiceClient, tokens: ServiceTokenSource) {
        self.client = client
        self.tokens = tokens
    }

    /// Sends a JSON request (or none) and collects the answer; problems throw ``ServiceClientError``.
    public func send(
        _ method: HTTPMethod,
        _ path: String,
        to service: String,
        json body: ByteBuffer?,
        idempotencyKey: String,
        propagating propagation: PropagationHeaders?,
        logger: Logger
    ) async throws -> (status: Int, body: ByteBuffer) {
        do {
            return try await self.attempt(method, path, service, body, idempotencyKey, propagation, logger)
        } catch ServiceClientError.problem(_, let problem) where problem.status == 401 {
            logger.info("service token refused; fetching a new one", metadata: ["upstream.service": "\(service)"])
            self.tokens.invalidate(audience: service)
            return try await self.attempt(method, path, service, body, idempotencyKey, propagation, logger)
        }
    }

    private func attempt(
        _ method: HTTPMethod,
        _ path: String,
        _ service: String,
        _ body: ByteBuffer?,
        _ idempotencyKey: String,
        _ propagation: PropagationHeaders?,
        _ logger: Logger
    ) async throws -> (status: Int, body: ByteBuffer) {
        let token = try await self.tokens.token(for: service, logger: logger)
        return try await self.client.send(
            method,
            path,
            to: service,
            body: body,
            headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": idempotencyKey],
            propagating: propagation,
            logger: logger
        )
    }
}
