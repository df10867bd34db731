import NIOHTTP1

/// When and how often a failed call to another service is tried again: exponential backoff
/// with full jitter (a random delay between zero and a ceiling that doubles per attempt),
/// a bounded number of attempts, only for requests that are safe to repeat, and never sooner
/// than a `Retry-After` the callee asked for.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 = no retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(1)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Reads `CLIENT_RETRY_ATTEMPTS`, `CLIENT_RETRY_INITIAL_SECONDS` and `CLIENT_RETRY_MAX_SECONDS`.
    public init(settings: SettingsReader) throws {
        self.init(
            maxAttempts: try settings.int("client.retryAttempts", default: 3, range: 1...10),
            initialDelay: try settings.seconds("client.retryInitialSeconds", default: .milliseconds(50), range: 0.001...60),
            maximumDelay: try settings.seconds("client.retryMaxSeconds", default: .seconds(1), range: 0.001...600)
        )
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether a request may be sent again: idempotent methods, or any method carrying an
    /// idempotency key (the callee de-duplicates it).
    public static func mayRetry(_ method: HTTPMethod, hasIdempotencyKey: Bool) -> Bool {
        switch method {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS: true
        default: hasIdempotencyKey
        }
    }

    /// The ceiling of the delay after `attempt` failures: initial × 2^(attempt-1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt, 1) - 1, 30)
        return min(self.initialDelay * (1 << exponent), self.maximumDelay)
    }

    /// The delay before the next attempt: full jitter below the ceiling, but at least
    /// `retryAfter` when the callee gave one. `random` picks in a closed range (injectable).
    public func delay(
        afterAttempt attempt: Int,
        retryAfter: Duration? = nil,
        random: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) -> Duration {
        let ceiling = Int64(self.ceiling(afterAttempt: attempt) / .microseconds(1))
        let jittered = Duration.microseconds(random(0...max(0, ceiling)))
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }
}
