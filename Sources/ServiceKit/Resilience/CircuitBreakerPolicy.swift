/// When a circuit breaker opens and how it recovers.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// The failure ratio (0...1) over the window at or above which the breaker opens.
    public var failureRateThreshold: Double
    /// Calls needed in the window before the ratio is trusted.
    public var minimumCalls: Int
    /// Length of the sliding window of recorded outcomes.
    public var window: Duration
    /// How long an open breaker rejects calls before letting probes through.
    public var openDuration: Duration
    /// Successful probes in a row that close a half-open breaker (also the probes allowed at once).
    public var halfOpenProbes: Int

    public init(failureRateThreshold: Double, minimumCalls: Int, window: Duration, openDuration: Duration, halfOpenProbes: Int) {
        self.failureRateThreshold = failureRateThreshold
        self.minimumCalls = minimumCalls
        self.window = window
        self.openDuration = openDuration
        self.halfOpenProbes = halfOpenProbes
    }

    /// 50 % failures of at least 5 calls in 10 s opens for 5 s; one good probe closes.
    public static let standard = CircuitBreakerPolicy(
        failureRateThreshold: 0.5,
        minimumCalls: 5,
        window: .seconds(10),
        openDuration: .seconds(5),
        halfOpenProbes: 1
    )
}
