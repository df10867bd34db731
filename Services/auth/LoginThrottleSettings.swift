import ServiceKit

/// The limits of ``LoginThrottle`` (settings `AUTH_LOGIN_*`, documented in docs/configuration.md).
struct LoginThrottleSettings: Sendable, Equatable {
    /// Failed logins for one account from one client address before each further try waits.
    var failuresBeforeDelay: Int
    /// The first wait; each further failure doubles it.
    var firstDelay: Duration
    /// The longest wait.
    var maximumDelay: Duration
    /// How long a quiet (account, client address) pair and a client address's count are remembered.
    var window: Duration
    /// Failed logins for one account from all addresses within ``accountWindow`` before 429.
    var perAccount: Int
    var accountWindow: Duration
    /// Failed logins from one client address for all accounts within ``window`` before 429.
    var perClient: Int
    /// How long an address that logged in to an account is exempt from that account's ceiling
    /// (zero: never).
    var knownClientFor: Duration

    init(
        failuresBeforeDelay: Int = 5,
        firstDelay: Duration = .seconds(30),
        maximumDelay: Duration = .seconds(900),
        window: Duration = .seconds(900),
        perAccount: Int = 100,
        accountWindow: Duration = .seconds(3600),
        perClient: Int = 20,
        knownClientFor: Duration = .seconds(30 * 86_400)
    ) {
        self.failuresBeforeDelay = failuresBeforeDelay
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.window = window
        self.perAccount = perAccount
        self.accountWindow = accountWindow
        self.perClient = perClient
        self.knownClientFor = knownClientFor
    }

    init(settings: SettingsReader) throws {
        let defaults = Self()
        self.init(
            failuresBeforeDelay: try settings.int("auth.loginFailuresBeforeDelay", default: defaults.failuresBeforeDelay, range: 1...1_000),
            firstDelay: try settings.seconds("auth.loginDelaySeconds", default: defaults.firstDelay, range: 1...86_400),
            maximumDelay: try settings.seconds("auth.loginMaxDelaySeconds", default: defaults.maximumDelay, range: 1...86_400),
            window: try settings.seconds("auth.loginWindowSeconds", default: defaults.window, range: 1...86_400),
            perAccount: try settings.int("auth.loginMaxFailuresPerAccount", default: defaults.perAccount, range: 1...1_000_000),
            accountWindow: try settings.seconds("auth.loginAccountWindowSeconds", default: defaults.accountWindow, range: 1...86_400),
            perClient: try settings.int("auth.loginMaxFailuresPerClient", default: defaults.perClient, range: 1...1_000_000),
            knownClientFor: try settings.seconds("auth.loginKnownClientSeconds", default: defaults.knownClientFor, range: 0...(365 * 86_400))
        )
        guard self.maximumDelay >= self.firstDelay else {
            throw ConfigurationError(
                setting: SettingsReader.variableName("auth.loginMaxDelaySeconds"),
                problem: "must be at least AUTH_LOGIN_DELAY_SECONDS"
            )
        }
    }
}
