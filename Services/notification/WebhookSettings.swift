import ServiceKit

/// How webhooks are accepted and delivered.
struct WebhookSettings: Sendable, Equatable {
    /// Accept URLs on localhost and internal addresses (loopback, private, link-local, ...),
    /// written literally or resolved from the host name, at registration and at delivery
    /// (`WEBHOOK_ALLOW_PRIVATE_HOSTS`, default false; for tests and local development only).
    var allowPrivateHosts: Bool
    /// How often the delivery worker looks for due deliveries (`WEBHOOK_POLL_SECONDS`, default 0.5).
    var pollInterval: Duration
    /// The limit of one delivery attempt, connect to last byte (`WEBHOOK_TIMEOUT_SECONDS`, default 5).
    var timeout: Duration
    /// The limit of looking up a webhook's host and of connecting to it, each
    /// (`WEBHOOK_CONNECT_TIMEOUT_SECONDS`, default 3; at most the attempt's timeout).
    var connectTimeout: Duration
    /// The wait between failed attempts (`WEBHOOK_RETRY_INITIAL_SECONDS`, default 1, doubling up to
    /// `WEBHOOK_RETRY_MAX_SECONDS`, default 60).
    var retry: Backoff
    /// Attempts before a delivery is given up as dead (`WEBHOOK_MAX_ATTEMPTS`, default 8).
    var maxAttempts: Int

    init(
        allowPrivateHosts: Bool = false,
        pollInterval: Duration = .milliseconds(500),
        timeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(3),
        retry: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(60)),
        maxAttempts: Int = 8
    ) {
        self.allowPrivateHosts = allowPrivateHosts
        self.pollInterval = pollInterval
        self.timeout = timeout
        self.connectTimeout = min(connectTimeout, timeout)
        self.retry = retry
        self.maxAttempts = maxAttempts
    }

    init(settings: SettingsReader) throws {
        self.init(
            allowPrivateHosts: try settings.bool("webhook.allowPrivateHosts", default: false),
            pollInterval: try settings.seconds("webhook.pollSeconds", default: .milliseconds(500), range: 0.01...60),
            timeout: try settings.seconds("webhook.timeoutSeconds", default: .seconds(5), range: 0.1...120),
            connectTimeout: try settings.seconds("webhook.connectTimeoutSeconds", default: .seconds(3), range: 0.1...60),
            retry: Backoff(
                initial: try settings.seconds("webhook.retryInitialSeconds", default: .seconds(1), range: 0.01...3_600),
                maximum: try settings.seconds("webhook.retryMaxSeconds", default: .seconds(60), range: 0.01...86_400)
            ),
            maxAttempts: try settings.int("webhook.maxAttempts", default: 8, range: 1...100)
        )
    }
}
