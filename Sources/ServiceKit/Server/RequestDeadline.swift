import HTTPTypes
import Hummingbird

/// Deadline propagation: a request's remaining time budget travels downstream in
/// `X-Request-Deadline-Ms` (milliseconds left when the call was sent), so no service starts work
/// its caller will no longer wait for. A request that arrives with no time left is answered 504
/// at once; outbound calls get at most what is left (``ServiceClient``).
public struct RequestDeadline: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    /// The header's name.
    public static let headerName = "X-Request-Deadline-Ms"

    /// The budget a request gets when it brings none (`nil`: none, as in services; the gateway
    /// gives every client request its client timeout).
    let defaultBudget: Duration?
    /// The most a caller may ask for.
    let maximumBudget: Duration

    public init(defaultBudget: Duration? = nil, maximumBudget: Duration = .seconds(600)) {
        self.defaultBudget = defaultBudget
        self.maximumBudget = maximumBudget
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let now = ContinuousClock.now
        if let text = request.headers[HTTPField.Name(Self.headerName)!] {
            guard let milliseconds = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw ProblemError.badRequest("\(Self.headerName) must be a whole number of milliseconds.")
            }
            guard milliseconds > 0 else {
                throw ProblemError.gatewayTimeout("The caller's deadline had passed before this service received the request.")
            }
            let budget = min(Duration.milliseconds(milliseconds), self.maximumBudget)
            context.deadline = now + budget
            // Every line logged for the request says how long its caller was willing to wait.
            context.logger[metadataKey: "request.deadline_ms"] =
                "\(budget.components.seconds * 1000 + budget.components.attoseconds / 1_000_000_000_000_000)"
        } else if let defaultBudget {
            context.deadline = now + defaultBudget
        }
        return try await next(request, context)
    }
}
