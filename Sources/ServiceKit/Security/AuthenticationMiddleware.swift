import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Verifies a `Bearer` token when the request carries one and puts the caller's
/// ``Identity`` on the context; a bad token is a 401 whatever the route (RFC 6750). Routes
/// decide whether a caller is required (``ServiceRequestContext/requireUser()`` and friends);
/// every internal gRPC method requires a service token with its scope (``ServiceTokenInterceptor``).
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Other schemes (auth's client-credentials endpoint takes Basic) are the route's business.
        guard let header = request.headers[.authorization], header.prefix(7).lowercased() == "bearer " else {
            return try await next(request, context)
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        var context = context
        do {
            context.identity = try await self.verifier.verify(token, logger: context.logger)
        } catch let error as KeySetUnavailable {
            context.logger.warning("access token not verifiable", metadata: ["reason": "\(error.reason)"])
            throw ProblemError.unavailable("Access tokens cannot be verified right now. Try again shortly.")
        } catch {
            context.logger.info("access token rejected", metadata: ["reason": "\(error)"])
            throw ProblemError.unauthorized("The access token is invalid or expired.", invalidToken: true)
        }
        context.logger[metadataKey: "subject"] = .string(context.identity?.subject ?? "")
        return try await next(request, context)
    }
}

extension ProblemError {
    /// 401 with `WWW-Authenticate: Bearer` (RFC 6750).
    public static func unauthorized(_ detail: String = "Authentication is required.", invalidToken: Bool = false) -> Self {
        .init(
            status: .unauthorized,
            kind: "unauthorized",
            title: "Unauthorized",
            detail: detail,
            headers: [.wwwAuthenticate: invalidToken ? #"Bearer error="invalid_token""# : "Bearer"]
        )
    }

    /// 403: authenticated, but not allowed.
    public static func forbidden(_ detail: String = "You are not allowed to do this.") -> Self {
        .init(status: .forbidden, kind: "forbidden", title: "Forbidden", detail: detail)
    }
}

extension ServiceRequestContext {
    /// The caller, or 401.
    public func requireUser() throws -> Identity {
        guard let identity = self.identity else { throw ProblemError.unauthorized() }
        return identity
    }

    /// The caller's account id (a user token), or 401.
    public func requireUserID() throws -> UUID {
        guard let id = try self.requireUser().userID else { throw ProblemError.unauthorized("A user's access token is required.") }
        return id
    }

    /// An administrator, or 401/403.
    public func requireAdmin() throws -> Identity {
        let identity = try self.requireUser()
        guard identity.isAdmin else { throw ProblemError.forbidden("This needs the admin role.") }
        return identity
    }

    /// Passes when the caller owns `owner` or is an admin; anyone else gets 404, so the
    /// existence of another user's resource is not revealed.
    public func requireOwner(_ owner: UUID, notFound detail: String) throws {
        let identity = try self.requireUser()
        guard identity.isAdmin || identity.userID == owner else { throw ProblemError.notFound(detail) }
    }
}
