/// Why a call to another service did not produce a usable answer.
public enum ServiceClientError: Error, Sendable, CustomStringConvertible {
    /// No instance could take the call: none known, all breakers open, or connection refused.
    case unavailable(service: String, reason: String)
    /// The call did not complete within its timeout.
    case timeout(service: String, after: Duration)
    /// The callee answered with a problem document (4xx/5xx).
    case problem(service: String, ProblemDetails)
    /// The callee's answer could not be read.
    case invalidResponse(service: String, reason: String)
    /// The callee answered a gRPC call with a status other than OK (and other than the
    /// transport's `UNAVAILABLE` and `DEADLINE_EXCEEDED`): a domain answer such as "not found" or
    /// "out of stock".
    case rejected(service: String, RPCRejection)

    public var description: String {
        switch self {
        case .unavailable(let service, let reason): "\(service) unavailable: \(reason)"
        case .timeout(let service, let after): "\(service) did not answer within \(after)"
        case .problem(let service, let problem): "\(service) answered \(problem.status): \(problem.detail)"
        case .invalidResponse(let service, let reason): "\(service) gave an invalid response: \(reason)"
        case .rejected(let service, let rejection): "\(service) answered \(rejection)"
        }
    }

    /// Whether another try may succeed: nobody answered, or not in time. A problem the callee
    /// answered is its answer (a 5xx answer is retried from the response, not from here).
    public var isTransient: Bool {
        switch self {
        case .unavailable, .timeout: true
        case .problem, .invalidResponse, .rejected: false
        }
    }

    /// The problem a caller's own API answers with when this error reaches it.
    public var asProblem: ProblemError {
        switch self {
        case .unavailable(let service, _):
            .unavailable("The \(service) service is unavailable. Try again shortly.", retryAfterSeconds: 1)
        case .timeout(let service, _):
            .gatewayTimeout("The \(service) service did not answer in time.")
        case .problem(let service, let problem) where problem.status >= 500:
            .badGateway("The \(service) service failed (\(problem.status)).")
        case .problem(_, let problem):
            ProblemError(
                status: .init(code: problem.status),
                kind: problem.type.split(separator: "/").last.map(String.init) ?? "upstream-error",
                title: problem.title,
                detail: problem.detail,
                fieldErrors: problem.errors ?? []
            )
        case .invalidResponse(let service, _):
            .badGateway("The \(service) service gave an invalid response.")
        case .rejected(let service, let rejection):
            rejection.asProblem(service: service)
        }
    }
}
