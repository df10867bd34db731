import HTTPTypes
import Hummingbird
import Metrics
import ServiceKit

/// Rate limits per client at the gateway, shared by every gateway replica through Redis, in two
/// stages (see ``RouteClass``):
///
/// - ``Stage/admission``, before any token is verified: one coarse bucket per client address,
///   so garbage and forged bearer tokens are limited like anything else;
/// - ``Stage/route``, after authentication: a bucket per route class and client (the user id
///   when the request carries a valid token, the address otherwise).
///
/// Addresses are what `ClientAddressMiddleware` derived (`X-Forwarded-For` only across
/// `TRUSTED_PROXIES`); an IPv6 client is limited by its /64, the least a single host is given.
/// Answers of the route stage carry `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset`; a refused request gets 429 problem+json with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    enum Stage: Sendable {
        case admission
        case route
    }

    /// The route classes and their limits.
    struct Policy: Sendable, Equatable {
        /// Every request of one address, before token verification: coarse, above the others.
        var address: RateLimit
        var anonymous: RateLimit
        var user: RateLimit
        /// Sign-in and registration, for everyone: the routes credential stuffing aims at.
        var auth: RateLimit

        static let defaults = Policy(
            address: RateLimit(rate: 100, burst: 200),
            anonymous: RateLimit(rate: 20, burst: 40),
            user: RateLimit(rate: 50, burst: 100),
            auth: RateLimit(rate: 10, burst: 20)
        )

        /// Reads `RATE_LIMITS` (`address=100/200,anonymous=20/40,user=50/100,auth=10/20`; any subset).
        init(settings: SettingsReader) throws {
            self = .defaults
            guard let text = settings.raw("rate.limits") else { return }
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let limit = RateLimit(parts[1]) else {
                    throw ConfigurationError(setting: "RATE_LIMITS", problem: "must be class=rate/burst pairs, e.g. anonymous=20/40,user=50/100")
                }
                switch parts[0] {
                case "address": self.address = limit
                case "anonymous": self.anonymous = limit
                case "user": self.user = limit
                case "auth": self.auth = limit
                default:
                    throw ConfigurationError(setting: "RATE_LIMITS", problem: "knows the classes address, anonymous, user and auth, not \(parts[0])")
                }
            }
        }

        init(address: RateLimit, anonymous: RateLimit, user: RateLimit, auth: RateLimit) {
            self.address = address
            self.anonymous = anonymous
            self.user = user
            self.auth = auth
        }

        func limit(of routeClass: RouteClass) -> RateLimit {
            switch routeClass {
            case .address: self.address
            case .anonymous: self.anonymous
            case .user: self.user
            case .auth: self.auth
            }
        }
    }

    let limiter: RateLimiter
    let policy: Policy
    let stage: Stage

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let (routeClass, client) = self.classify(request, context: context) else { return try await next(request, context) }
        let limit = self.policy.limit(of: routeClass)
        let decision = await self.limiter.take(key: "ratelimit:\(routeClass.rawValue):\(client)", limit: limit)
        let reset =
            decision.allowed ? Self.wholeSeconds(Double(max(0, limit.burst - decision.remaining)) / limit.rate) : Self.seconds(decision.retryAfter)
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("RateLimit-Limit")!] = String(limit.burst)
        headers[HTTPField.Name("RateLimit-Remaining")!] = String(decision.remaining)
        headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
        guard decision.allowed else {
            Counter(label: "gateway_rate_limit_refusals_total", dimensions: [("class", routeClass.rawValue)]).increment()
            var problem = ProblemError.tooManyRequests(
                "Too many requests; try again in \(Self.seconds(decision.retryAfter)) s.",
                retryAfterSeconds: Self.seconds(decision.retryAfter)
            )
            problem.headers.append(contentsOf: headers)
            throw problem
        }
        var response = try await next(request, context)
        // The route stage describes the bucket a client sees; the coarse admission bucket speaks
        // only when it refuses.
        if self.stage == .route { response.headers.append(contentsOf: headers) }
        return response
    }

    /// The class and the client key; `nil` for routes that are never limited.
    func classify(_ request: Request, context: Context) -> (RouteClass, String)? {
        let address = Self.addressKey(request.clientAddress(context: context))
        switch self.stage {
        case .admission:
            return RouteClass.before(endpointPath: context.endpointPath).map { ($0, address) }
        case .route:
            let subject = context.identity?.subject
            guard let routeClass = RouteClass.after(endpointPath: context.endpointPath, isUser: subject != nil) else { return nil }
            return (routeClass, routeClass == .user ? subject ?? address : address)
        }
    }

    /// The bucket key of a client address: an IPv4 address itself, an IPv6 address's /64.
    static func addressKey(_ address: String) -> String {
        guard let parsed = IPAddress(exactly: address), !parsed.isIPv4, let network = IPNetwork(containing: parsed, prefixLength: 64) else {
            return address
        }
        return network.description
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
