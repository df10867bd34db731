/// Who issues access tokens and for whom, and how long they live; read from `AUTH_*` settings
/// by every service, so issuer and verifiers agree.
public struct TokenPolicy: Sendable, Equatable {
    public var issuer: String
    public var audience: String
    /// How long a user's access token lives.
    public var accessTokenLifetime: Duration
    /// How long a service token lives.
    public var serviceTokenLifetime: Duration
    /// The least time between two fetches of auth's key set when a token names an unknown key.
    public var keySetRefreshInterval: Duration

    public init(
        issuer: String,
        audience: String,
        accessTokenLifetime: Duration = .seconds(900),
        serviceTokenLifetime: Duration = .seconds(300),
        keySetRefreshInterval: Duration = .seconds(5)
    ) {
        self.issuer = issuer
        self.audience = audience
        self.accessTokenLifetime = accessTokenLifetime
        self.serviceTokenLifetime = serviceTokenLifetime
        self.keySetRefreshInterval = keySetRefreshInterval
    }

    /// Reads `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_ACCESS_TOKEN_SECONDS`,
    /// `AUTH_SERVICE_TOKEN_SECONDS` and `AUTH_JWKS_REFRESH_SECONDS`; the defaults fit one deployment.
    public init(settings: SettingsReader) throws {
        self.init(
            issuer: settings.string("auth.issuer", default: "swift-shop-auth"),
            audience: settings.string("auth.audience", default: "swift-shop"),
            accessTokenLifetime: try settings.seconds("auth.accessTokenSeconds", default: .seconds(900), range: 10...86_400),
            serviceTokenLifetime: try settings.seconds("auth.serviceTokenSeconds", default: .seconds(300), range: 10...86_400),
            keySetRefreshInterval: try settings.seconds("auth.jwksRefreshSeconds", default: .seconds(5), range: 0.1...3_600)
        )
    }
}
