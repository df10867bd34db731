import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into an `application/problem+json` response.
///
/// Known errors keep their status; an unknown error becomes a 500 whose body says nothing about
/// internals, and is logged at error level with the request id so it can be found.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let routes: RouteTable

    public init(routes: RouteTable) {
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = self.problem(for: error, request: request, context: context)
            return ProblemResponse.make(problem, instance: request.uri.path, requestId: context.requestID)
        }
    }

    func problem(for error: any Error, request: Request, context: Context) -> ProblemError {
        switch error {
        case let problem as ProblemError:
            if problem.status.code >= 500 {
                context.logger.warning(
                    "request failed",
                    metadata: ["problem.status": "\(problem.status.code)", "problem.detail": "\(problem.detail)"]
                )
            }
            return problem
        case let httpError as HTTPError:
            return self.problem(for: httpError, request: request, context: context)
        case is CancellationError:
            return ProblemError.unavailable("The request was cancelled because the service is shutting down.").markedAsInstanceFailure
        case let clientError as ServiceClientError:
            // A dependency's failure, not this instance's: the caller's breaker must not count it.
            return clientError.asProblem
        default:
            context.logger.error(
                "unexpected error",
                metadata: ["error.type": "\(String(reflecting: type(of: error)))", "error": "\(String(describing: error))"]
            )
            return ProblemError.internalError.markedAsInstanceFailure
        }
    }

    private func problem(for error: HTTPError, request: Request, context: Context) -> ProblemError {
        switch error.status {
        case .notFound:
            let allowed = self.routes.allowedMethods(for: request.uri.path)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                return .methodNotAllowed(request.method, allowed: allowed)
            }
            return .notFound("No route matches \(request.method.rawValue) \(request.uri.path).")
        case .contentTooLarge:
            return .init(status: .contentTooLarge, kind: "content-too-large", title: "Content too large", detail: "The request body is too large.")
        case .badRequest:
            return .badRequest(error.body ?? "The request could not be read.")
        default:
            if error.status.code >= 500 {
                context.logger.error("request failed", metadata: ["http.status": "\(error.status.code)"])
                return ProblemError.internalError.markedAsInstanceFailure
            }
            let reason = error.status.reasonPhrase
            return .init(
                status: error.status,
                kind: reason.lowercased().replacingOccurrences(of: " ", with: "-"),
                title: reason,
                detail: error.body ?? reason
            )
        }
    }
}
