import Contracts
import GRPCCore
import Logging

/// Who may call a gRPC method.
public enum RPCAccess: Sendable, Equatable {
    /// A service token addressed to this service that carries the scope.
    case scope(ServiceScope)
    /// Anyone (the health service).
    case open
    /// The method checks the caller's own credentials (auth's token method, with client
    /// credentials).
    case ownCredentials
}

/// Verifies the caller's service token on every RPC (issue 8's matrix, per method): a method
/// that requires a scope answers `UNAUTHENTICATED` without a valid token for this service and
/// `PERMISSION_DENIED` when the token lacks the scope or is a user's. A method missing from the
/// table is denied, so a method added without its rule cannot be reached.
public struct ServiceTokenInterceptor: ServerInterceptor {
    let verifier: TokenVerifier
    let access: [MethodDescriptor: RPCAccess]

    public init(verifier: TokenVerifier, access: [MethodDescriptor: RPCAccess]) {
        self.verifier = verifier
        self.access = access
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        switch self.access[context.descriptor] {
        case .open?:
            return try await next(request, context)
        case .ownCredentials?:
            guard var call = RPCCall.current else { throw RPCError(code: .internalError, message: "The call has no context.") }
            call.credentials = request.metadata.first(RPCMetadataKey.authorization)
            return try await RPCCall.$current.withValue(call) { try await next(request, context) }
        case nil:
            throw RPCError(code: .permissionDenied, message: "\(context.descriptor.fullyQualifiedMethod) has no access rule.")
        case .scope(let scope)?:
            guard var call = RPCCall.current else { throw RPCError(code: .internalError, message: "The call has no context.") }
            let identity = try await self.identity(request.metadata, logger: call.logger)
            guard identity.isService else {
                throw RPCError(code: .permissionDenied, message: "This method is for services only.")
            }
            guard identity.scopes.contains(scope) else {
                call.logger.warning("service token lacks the scope", metadata: ["subject": "\(identity.subject)", "scope": "\(scope)"])
                throw RPCError(code: .permissionDenied, message: "The service token of \(identity.subject) does not carry the scope \(scope).")
            }
            call.identity = identity
            call.logger[metadataKey: "subject"] = .string(identity.subject)
            return try await RPCCall.$current.withValue(call) { try await next(request, context) }
        }
    }

    /// The caller of a `Bearer` token in `authorization`.
    private func identity(_ metadata: Metadata, logger: Logger) async throws -> Identity {
        guard let header = metadata.first(RPCMetadataKey.authorization), header.prefix(7).lowercased() == "bearer " else {
            throw RPCError(code: .unauthenticated, message: "A service token is required.")
        }
        do {
            return try await self.verifier.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), logger: logger)
        } catch let error as KeySetUnavailable {
            logger.warning("service token not verifiable", metadata: ["reason": "\(error.reason)"])
            throw RPCError(code: .unavailable, message: "Tokens cannot be verified right now.")
        } catch {
            logger.info("service token rejected", metadata: ["reason": "\(error)"])
            throw RPCError(code: .unauthenticated, message: "The service token is invalid or expired.")
        }
    }
}
