/// Exponential backoff with equal jitter (a random delay between half the ceiling and the
/// ceiling), capped.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling of the delay after the `attempt`-th failure (1-based): initial × 2^(attempt-1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let scaled = self.initial * (1 << exponent)
        return min(scaled, self.maximum)
    }

    /// A random delay between half the ceiling and the ceiling.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = self.ceiling(afterAttempt: attempt)
        let milliseconds = max(1, Int64(ceiling / .milliseconds(1)))
        return .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds))
    }
}
