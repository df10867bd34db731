import GRPCCore
import Logging

/// Calls to other services' internal gRPC API, authenticated with this service's token for the
/// service called (its audience). An `UNAUTHENTICATED` answer (the token expired early, or
/// auth's keys rotated) drops the cached token and tries once more with a fresh one;
/// `PERMISSION_DENIED` (the token lacks the method's scope) is an answer, not retried.
public struct InternalCalls: Sendable {
    public let client: RPCClient
    let tokens: ServiceTokenSource

    public init(client: RPCClient, tokens: ServiceTokenSource) {
        self.client = client
        self.tokens = tokens
    }

    /// Calls `method` of `service`; see ``RPCClient/call(_:of:idempotent:metadata:propagating:timeout:logger:_:)``.
    ///
    /// - Parameters:
    ///   - idempotencyKey: set on every mutating call (the callee de-duplicates on it), which
    ///     makes it safe to retry; reads pass `nil` and are retried as they are.
    ///   - timeout: the most one try may take (the client timeout by default).
    public func call<Result: Sendable>(
        _ method: MethodDescriptor,
        of service: String,
        idempotencyKey: String?,
        propagating propagation: PropagationHeaders?,
        timeout: Duration? = nil,
        logger: Logger,
        _ body: @Sendable (RPCClient.Client, Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        do {
            return try await self.attempt(method, service, idempotencyKey, propagation, timeout, logger, body)
        } catch ServiceClientError.rejected(_, let rejection) where rejection.code == .unauthenticated {
            logger.info("service token refused; fetching a new one", metadata: ["upstream.service": "\(service)"])
            self.tokens.invalidate(audience: service)
            return try await self.attempt(method, service, idempotencyKey, propagation, timeout, logger, body)
        }
    }

    private func attempt<Result: Sendable>(
        _ method: MethodDescriptor,
        _ service: String,
        _ idempotencyKey: String?,
        _ propagation: PropagationHeaders?,
        _ timeout: Duration?,
        _ logger: Logger,
        _ body: @Sendable (RPCClient.Client, Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        let token = try await self.tokens.token(for: service, logger: logger)
        var metadata: Metadata = [RPCMetadataKey.authorization: "Bearer \(token)"]
        if let idempotencyKey { metadata.addString(idempotencyKey, forKey: RPCMetadataKey.idempotencyKey) }
        return try await self.client.call(
            method,
            of: service,
            idempotent: true,
            metadata: metadata,
            propagating: propagation,
            timeout: timeout,
            logger: logger,
            body
        )
    }
}
