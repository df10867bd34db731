import HTTPTypes
import Hummingbird
import ServiceKit

/// Rate limits per client at the gateway: a token bucket per route class and client (the user
/// id when the request carries a valid token, the peer's address otherwise), shared by every
/// gateway replica through Redis. Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset`; a refused request gets 429 problem+json with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    /// The route classes and their limits.
    struct Policy: Sendable, Equatable {
        var anonymous: RateLimit
        var user: RateLimit
        /// Sign-in and registration, for everyone: the routes credential stuffing aims at.
        var auth: RateLimit

        static let defaults = Policy(
            anonymous: RateLimit(rate: 20, burst: 40),
            user: RateLimit(rate: 50, burst: 100),
            auth: RateLimit(rate: 10, burst: 20)
        )

        /// Reads `RATE_LIMITS` (`anonymous=20/40,user=50/100,auth=10/20`; any subset).
        init(settings: SettingsReader) throws {
            self = .defaults
            guard let text = settings.raw("rate.limits") else { return }
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let limit = RateLimit(parts[1]) else {
                    throw ConfigurationError(setting: "RATE_LIMITS", problem: "must be class=rate/burst pairs, e.g. anonymous=20/40,user=50/100")
                }
                switch parts[0] {
                case "anonymous": self.anonymous = limit
                case "user": self.user = limit
                case "auth": self.auth = limit
                default: throw ConfigurationError(setting: "RATE_LIMITS", problem: "knows the classes anonymous, user and auth, not \(parts[0])")
                }
            }
        }

        init(anonymous: RateLimit, user: RateLimit, auth: RateLimit) {
            self.anonymous = anonymous
            self.user = user
            self.auth = auth
        }
    }

    let limiter: RateLimiter
    let policy: Policy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let (name, limit, client) = self.classify(request, context: context) else { return try await next(request, context) }
        let decision = await self.limiter.take(key: "ratelimit:\(name):\(client)", limit: limit)
        let reset =
            decision.allowed ? Self.wholeSeconds(Double(max(0, limit.burst - decision.remaining)) / limit.rate) : Self.seconds(decision.retryAfter)
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("RateLimit-Limit")!] = String(limit.burst)
        headers[HTTPField.Name("RateLimit-Remaining")!] = String(decision.remaining)
        headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
        guard decision.allowed else {
            var problem = ProblemError.tooManyRequests(
                "Too many requests; try again in \(Self.seconds(decision.retryAfter)) s.",
                retryAfterSeconds: Self.seconds(decision.retryAfter)
            )
            problem.headers.append(contentsOf: headers)
            throw problem
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The class, its limit and the client key; `nil` for routes that are never limited.
    func classify(_ request: Request, context: Context) -> (String, RateLimit, String)? {
        let path = request.uri.path
        if path.hasPrefix("/health/") || path == "/metrics" || path == "/v1/status" { return nil }
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        if request.method == .post, ["/v1/auth/login", "/v1/auth/register", "/v1/auth/refresh"].contains(path) {
            return ("auth", self.policy.auth, address)
        }
        if let subject = context.identity?.subject { return ("user", self.policy.user, subject) }
        return ("anonymous", self.policy.anonymous, address)
    }

    static func seconds(_ duration: Duration) -> Int {
        max(1, Self.wholeSeconds(Double(duration / .milliseconds(1)) / 1000))
    }

    /// `seconds` rounded up, capped at a day: a configured rate so small that the refill time
    /// is not a finite `Int` must not trap the gateway.
    static func wholeSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 86_400 }
        return Int(min(max(seconds.rounded(.up), 0), 86_400))
    }
}
