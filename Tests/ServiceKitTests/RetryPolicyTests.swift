import NIOHTTP1
import ServiceKit
import Synchronization
import Testing

/// Exponential backoff with full jitter, `Retry-After`, which requests may be repeated, and the settings.
struct RetryPolicyTests {
    // MARK: Ceiling

    @Test func ceilingDoublesPerAttemptUntilTheMaximum() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(50), maximumDelay: .milliseconds(300))
        #expect(policy.ceiling(afterAttempt: 1) == .milliseconds(50))
        #expect(policy.ceiling(afterAttempt: 2) == .milliseconds(100))
        #expect(policy.ceiling(afterAttempt: 3) == .milliseconds(200))
        #expect(policy.ceiling(afterAttempt: 4) == .milliseconds(300))
        #expect(policy.ceiling(afterAttempt: 5) == .milliseconds(300))
    }

    @Test func ceilingOfAnAttemptBelowOneIsTheInitialDelay() {
        let policy = RetryPolicy(initialDelay: .milliseconds(50), maximumDelay: .seconds(1))
        #expect(policy.ceiling(afterAttempt: 0) == .milliseconds(50))
        #expect(policy.ceiling(afterAttempt: -3) == .milliseconds(50))
    }

    @Test(arguments: [31, 64, 65, 1000, Int.max])
    func ceilingOfAHugeAttemptIsTheMaximumWithoutOverflow(attempt: Int) {
        // The largest delays the settings allow: 60 s doubled 2^30 times would be far past the cap.
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .seconds(60), maximumDelay: .seconds(600))
        #expect(policy.ceiling(afterAttempt: attempt) == .seconds(600))
        let small = RetryPolicy(initialDelay: .milliseconds(1), maximumDelay: .seconds(3600))
        #expect(small.ceiling(afterAttempt: attempt) == .seconds(3600))
    }

    // MARK: Delay (full jitter)

    @Test func delayPicksBetweenZeroAndTheCeilingWithTheInjectedRandom() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(50), maximumDelay: .seconds(1))
        let ranges = Mutex<[ClosedRange<Int64>]>([])
        let lowest = policy.delay(afterAttempt: 2) { range in
            ranges.withLock { $0.append(range) }
            return range.lowerBound
        }
        let highest = policy.delay(afterAttempt: 2) { range in
            ranges.withLock { $0.append(range) }
            return range.upperBound
        }
        #expect(lowest == .zero)
        #expect(highest == .milliseconds(100))
        // Microseconds from zero to the ceiling after the second attempt (100 ms).
        #expect(ranges.withLock { $0 } == [0...100_000, 0...100_000])
    }

    @Test func delayIsExactlyWhatTheRandomReturns() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(50), maximumDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1) { _ in 12_345 } == .microseconds(12_345))
        #expect(policy.delay(afterAttempt: 4) { $0.upperBound } == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 9) { $0.upperBound } == .seconds(1))
    }

    @Test func defaultRandomStaysWithinTheCeiling() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(10), maximumDelay: .seconds(1))
        for attempt in 1...6 {
            let ceiling = policy.ceiling(afterAttempt: attempt)
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt)
                #expect(delay >= .zero && delay <= ceiling, "attempt \(attempt): \(delay) outside 0...\(ceiling)")
            }
        }
    }

    @Test func retryAfterIsAFloorForTheDelay() {
        let policy = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(50), maximumDelay: .seconds(1))
        // Longer than any jitter, even past the maximum delay: honoured as given.
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2)) { $0.upperBound } == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .milliseconds(30)) { $0.lowerBound } == .milliseconds(30))
        // A jittered delay above Retry-After is kept.
        #expect(policy.delay(afterAttempt: 1, retryAfter: .milliseconds(30)) { $0.upperBound } == .milliseconds(50))
        for _ in 0..<100 {
            #expect(policy.delay(afterAttempt: 2, retryAfter: .seconds(1)) >= .seconds(1))
        }
    }

    // MARK: Which requests may be repeated

    @Test(arguments: [HTTPMethod.GET, .HEAD, .PUT, .DELETE, .OPTIONS])
    func idempotentMethodsAreRetriedWithOrWithoutAKey(method: HTTPMethod) {
        #expect(RetryPolicy.mayRetry(method, hasIdempotencyKey: false))
        #expect(RetryPolicy.mayRetry(method, hasIdempotencyKey: true))
    }

    @Test(arguments: [HTTPMethod.POST, .PATCH, .CONNECT, .RAW(value: "PURGE")])
    func otherMethodsAreRetriedOnlyWithAnIdempotencyKey(method: HTTPMethod) {
        #expect(!RetryPolicy.mayRetry(method, hasIdempotencyKey: false))
        #expect(RetryPolicy.mayRetry(method, hasIdempotencyKey: true))
    }

    // MARK: Construction and settings

    @Test func maxAttemptsIsAtLeastOne() {
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(RetryPolicy(maxAttempts: -5).maxAttempts == 1)
        #expect(RetryPolicy.none.maxAttempts == 1)
    }

    @Test func settingsDefaults() throws {
        let policy = try RetryPolicy(settings: SettingsReader(environment: [:]))
        #expect(policy == RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(50), maximumDelay: .seconds(1)))
    }

    @Test func settingsAreReadFromTheirVariables() throws {
        let policy = try RetryPolicy(
            settings: SettingsReader(environment: [
                "CLIENT_RETRY_ATTEMPTS": "5",
                "CLIENT_RETRY_INITIAL_SECONDS": "0.2",
                "CLIENT_RETRY_MAX_SECONDS": "3",
            ])
        )
        #expect(policy.maxAttempts == 5)
        #expect(policy.initialDelay == .milliseconds(200))
        #expect(policy.maximumDelay == .seconds(3))
    }

    @Test func clientSettingsCarryTheRetryPolicy() throws {
        let settings = try ClientSettings(settings: SettingsReader(environment: ["CLIENT_RETRY_ATTEMPTS": "1"]))
        #expect(settings.retry.maxAttempts == 1)
    }

    @Test(arguments: [
        ("CLIENT_RETRY_ATTEMPTS", "0"),
        ("CLIENT_RETRY_ATTEMPTS", "11"),
        ("CLIENT_RETRY_ATTEMPTS", "2.5"),
        ("CLIENT_RETRY_ATTEMPTS", "three"),
        ("CLIENT_RETRY_INITIAL_SECONDS", "0"),
        ("CLIENT_RETRY_INITIAL_SECONDS", "61"),
        ("CLIENT_RETRY_INITIAL_SECONDS", "-1"),
        ("CLIENT_RETRY_INITIAL_SECONDS", "soon"),
        ("CLIENT_RETRY_MAX_SECONDS", "0"),
        ("CLIENT_RETRY_MAX_SECONDS", "601"),
    ])
    func outOfRangeSettingsAreRejected(variable: String, value: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try RetryPolicy(settings: SettingsReader(environment: [variable: value]))
        }
        #expect(error.setting == variable)
        #expect(error.problem.contains(value))
    }
}
