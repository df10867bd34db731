/// A token bucket: `rate` tokens per second up to `burst`; each request takes one.
public struct TokenBucket: Sendable, Equatable {
    /// What one request got.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Whole tokens left after this request.
        public var remaining: Int
        /// When refused, how long until a token is there.
        public var retryAfter: Duration

        public init(allowed: Bool, remaining: Int, retryAfter: Duration) {
            self.allowed = allowed
            self.remaining = remaining
            self.retryAfter = retryAfter
        }
    }

    public let rate: Double
    public let burst: Int
    private(set) var tokens: Double
    private(set) var updatedAt: ContinuousClock.Instant

    public init(rate: Double, burst: Int, now: ContinuousClock.Instant) {
        self.rate = max(rate, 0.001)
        self.burst = max(1, burst)
        self.tokens = Double(self.burst)
        self.updatedAt = now
    }

    /// Refills for the time passed and takes a token if there is one.
    public mutating func take(now: ContinuousClock.Instant) -> Decision {
        let elapsed = max(0, Double((now - self.updatedAt) / .milliseconds(1)) / 1000)
        self.tokens = min(Double(self.burst), self.tokens + elapsed * self.rate)
        self.updatedAt = max(now, self.updatedAt)
        if self.tokens >= 1 {
            self.tokens -= 1
            return Decision(allowed: true, remaining: Int(self.tokens), retryAfter: .zero)
        }
        let wait = (1 - self.tokens) / self.rate
        return Decision(allowed: false, remaining: 0, retryAfter: .milliseconds(Int64((wait * 1000).rounded(.up))))
    }
}
