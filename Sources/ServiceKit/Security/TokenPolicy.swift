/// Who issues access tokens and for whom, how long they live, and how verifiers keep auth's key
/// set; read from `AUTH_*` settings by every service, so issuer and verifiers agree.
public struct TokenPolicy: Sendable, Equatable {
    public var issuer: String
    /// The audience of users' access tokens (the public API). Service tokens name one service.
    public var audience: String
    /// How long a user's access token lives.
    public var accessTokenLifetime: Duration
    /// How long a service token lives.
    public var serviceTokenLifetime: Duration
    /// The least time between two fetches of auth's key set when a token names an unknown key,
    /// and the first back-off after a failed fetch.
    public var keySetRefreshInterval: Duration
    /// How old a fetched key set may grow before it is fetched again: a key removed from auth
    /// stops verifying everywhere within this time.
    public var keySetMaxAge: Duration
    /// The longest back-off between fetches while auth's key set cannot be fetched.
    public var keySetRetryMaximum: Duration

    public init(
        issuer: String,
        audience: String,
        accessTokenLifetime: Duration = .seconds(900),
        serviceTokenLifetime: Duration = .seconds(300),
        keySetRefreshInterval: Duration = .seconds(5),
        keySetMaxAge: Duration = .seconds(300),
        keySetRetryMaximum: Duration = .seconds(60)
    ) {
        self.issuer = issuer
        self.audience = audience
        self.accessTokenLifetime = accessTokenLifetime
        self.serviceTokenLifetime = serviceTokenLifetime
        self.keySetRefreshInterval = keySetRefreshInterval
        self.keySetMaxAge = keySetMaxAge
        self.keySetRetryMaximum = keySetRetryMaximum
    }

    /// Reads `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_ACCESS_TOKEN_SECONDS`,
    /// `AUTH_SERVICE_TOKEN_SECONDS`, `AUTH_JWKS_REFRESH_SECONDS`, `AUTH_JWKS_MAX_AGE_SECONDS` and
    /// `AUTH_JWKS_RETRY_MAX_SECONDS`; the defaults fit one deployment.
    public init(settings: SettingsReader) throws {
        self.init(
            issuer: settings.string("auth.issuer", default: "swift-shop-auth"),
            audience: settings.string("auth.audience", default: "swift-shop"),
            accessTokenLifetime: try settings.seconds("auth.accessTokenSeconds", default: .seconds(900), range: 10...86_400),
            serviceTokenLifetime: try settings.seconds("auth.serviceTokenSeconds", default: .seconds(300), range: 10...86_400),
            keySetRefreshInterval: try settings.seconds("auth.jwksRefreshSeconds", default: .seconds(5), range: 0.1...3_600),
            keySetMaxAge: try settings.seconds("auth.jwksMaxAgeSeconds", default: .seconds(300), range: 1...86_400),
            keySetRetryMaximum: try settings.seconds("auth.jwksRetryMaxSeconds", default: .seconds(60), range: 0.1...3_600)
        )
    }
}
