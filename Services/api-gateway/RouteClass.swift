import ServiceKit

/// The rate-limit class of a request, read from the route the router matched (its pattern,
/// `context.endpointPath`), never from the raw path: the router ignores repeated and trailing
/// slashes and, at the gateway, letter case, so `POST /v1/auth/login/`, `/V1/AUTH/LOGIN` and
/// `/v1//auth/login` all match the pattern `/v1/auth/login` and count as what they are.
enum RouteClass: String, Sendable {
    /// Every request from one address, before any token is verified.
    case address
    /// Sign-in, registration and refresh, per address: the routes credential stuffing aims at.
    case auth
    /// A request with a valid access token, per user.
    case user
    /// Everything else, per address.
    case anonymous

    /// The credential routes: the gateway registers them as routes of their own (ahead of their
    /// area's catch-all), so that a request to one matches its pattern.
    static let credentialPaths = ["/v1/auth/login", "/v1/auth/register", "/v1/auth/refresh"]

    /// Probes and scrapes: never limited, so an orchestrator sees the truth under any load.
    static let unlimitedPaths: Set<String> = ["/health/live", "/health/ready", "/metrics"]

    /// The class after authentication of a request that matched `endpointPath` (`nil`: no route
    /// matched); `nil` for an unlimited route.
    static func after(endpointPath: String?, isUser: Bool) -> RouteClass? {
        guard let endpointPath else { return isUser ? .user : .anonymous }
        if Self.unlimitedPaths.contains(endpointPath) { return nil }
        if Self.credentialPaths.contains(endpointPath) { return .auth }
        return isUser ? .user : .anonymous
    }

    /// The class before authentication: ``address`` for every route but the unlimited ones.
    static func before(endpointPath: String?) -> RouteClass? {
        endpointPath.map { Self.unlimitedPaths.contains($0) } == true ? nil : .address
    }
}
