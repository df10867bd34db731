import Foundation
import GRPCCore
import Logging

/// What a gRPC handler knows about the call it serves, set by ``InboundCallInterceptor`` and
/// ``ServiceTokenInterceptor`` for the duration of the handler: who called, for which request,
/// until when, with which idempotency key.
public struct RPCCall: Sendable {
    /// The `x-request-id` the caller sent (or one made here).
    public var requestID: String
    /// When the caller stops waiting (from `grpc-timeout`); calls made on its behalf get what
    /// is left of it.
    public var deadline: ContinuousClock.Instant?
    /// The calling service, once its token was verified.
    public var identity: Identity?
    /// The caller's `idempotency-key`, on mutating methods.
    public var idempotencyKey: String?
    /// The caller's `authorization` metadata, kept only for a method that checks the caller's
    /// own credentials (``RPCAccess/ownCredentials``).
    public var credentials: String?
    /// A logger carrying the request id and the method.
    public var logger: Logger

    /// The call being served by this task; `nil` outside a gRPC handler.
    @TaskLocal public static var current: RPCCall?

    /// What calls made on this call's behalf must carry to continue it.
    public var propagation: PropagationHeaders {
        PropagationHeaders(requestID: self.requestID, deadline: self.deadline)
    }

    /// The current call, or an internal error (a handler that runs without the interceptors is
    /// a wiring mistake, never a caller's).
    public static func require() throws -> RPCCall {
        guard let current else { throw RPCError(code: .internalError, message: "The call has no context.") }
        return current
    }
}

extension RPCCall {
    /// The current call of a mutating method, which must carry an idempotency key (a call
    /// without one could not be retried safely): `INVALID_ARGUMENT` otherwise.
    public static func requireMutation() throws -> RPCCall {
        let call = try Self.require()
        guard let key = call.idempotencyKey, !key.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "A mutating call must carry an idempotency-key.")
        }
        var logged = call
        logged.logger[metadataKey: "idempotencyKey"] = .string(key)
        return logged
    }
}
