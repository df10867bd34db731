import ServiceKit
import Synchronization
import Testing

/// The circuit breaker's state machine, driven by a manual clock.
struct CircuitBreakerTests {
    private typealias Transition = TransitionRecorder.Transition

    /// 50 % of at least 4 calls in 10 s opens the breaker for 5 s.
    private static func policy(halfOpenProbes: Int = 1) -> CircuitBreakerPolicy {
        CircuitBreakerPolicy(
            failureRateThreshold: 0.5,
            minimumCalls: 4,
            window: .seconds(10),
            openDuration: .seconds(5),
            halfOpenProbes: halfOpenProbes
        )
    }

    private struct Harness {
        let time = ManualTime()
        let recorder = TransitionRecorder()
        let breaker: CircuitBreaker

        init(policy: CircuitBreakerPolicy) {
            let recorder = self.recorder
            self.breaker = CircuitBreaker(policy: policy, time: self.time.source) { recorder.record($0, $1) }
        }

        /// Makes one call that must be admitted, with the given outcome.
        func call(success: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let permit = try #require(self.breaker.acquire(), "the breaker rejected a call", sourceLocation: sourceLocation)
            self.breaker.record(permit, success: success)
        }

        /// Makes one probe that must be admitted, with the given outcome.
        func probe(success: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let permit = try #require(self.breaker.acquireProbe(), "the breaker refused a probe", sourceLocation: sourceLocation)
            self.breaker.record(permit, success: success)
        }

        /// Opens a closed breaker with `minimumCalls` failures.
        func open(sourceLocation: SourceLocation = #_sourceLocation) throws {
            for _ in 0..<self.breaker.policy.minimumCalls { try self.call(success: false, sourceLocation: sourceLocation) }
            #expect(self.breaker.state == .open, sourceLocation: sourceLocation)
        }
    }

    private struct UpstreamFailure: Error {}
    private struct NotFound: Error {}

    @Test func staysClosedBelowMinimumCallsEvenWhenAllFail() throws {
        let harness = Harness(policy: Self.policy())
        for _ in 0..<3 { try harness.call(success: false) }
        #expect(harness.breaker.state == .closed)
        #expect(harness.breaker.acquire() != nil)
        #expect(harness.recorder.transitions.isEmpty)
    }

    @Test func staysClosedBelowTheFailureRate() throws {
        let harness = Harness(policy: Self.policy())
        for success in [true, true, true, false, true, true, false] { try harness.call(success: success) }
        #expect(harness.breaker.state == .closed)
        #expect(harness.recorder.transitions.isEmpty)
    }

    @Test func opensWhenTheFailureRateReachesTheThreshold() throws {
        let harness = Harness(policy: Self.policy())
        for success in [true, false, true] { try harness.call(success: success) }
        #expect(harness.breaker.state == .closed)
        // Fourth call: 2 failures of 4 is exactly the 50 % threshold.
        try harness.call(success: false)
        #expect(harness.breaker.state == .open)
        #expect(harness.recorder.transitions == [Transition(from: .closed, to: .open)])
    }

    @Test func failuresOlderThanTheWindowDropOut() throws {
        let harness = Harness(policy: Self.policy())
        for _ in 0..<3 { try harness.call(success: false) }
        harness.time.advance(by: .seconds(11))
        // In the window now: 1 failure of 4 calls. Counting the old ones it would be 4 of 7 and open.
        for success in [true, true, true, false] { try harness.call(success: success) }
        #expect(harness.breaker.state == .closed)
        #expect(harness.recorder.transitions.isEmpty)
    }

    @Test func failuresInsideTheWindowStillCount() throws {
        let harness = Harness(policy: Self.policy())
        for _ in 0..<2 { try harness.call(success: false) }
        harness.time.advance(by: .seconds(9))
        for success in [true, true] { try harness.call(success: success) }
        #expect(harness.breaker.state == .open)
    }

    @Test func openRejectsCallsUntilTheOpenDurationHasPassed() throws {
        let harness = Harness(policy: Self.policy())
        try harness.open()
        #expect(harness.breaker.acquireProbe() == nil)
        harness.time.advance(by: .milliseconds(4999))
        #expect(harness.breaker.acquireProbe() == nil)
        #expect(harness.breaker.state == .open)
        harness.time.advance(by: .milliseconds(1))
        #expect(harness.breaker.state == .halfOpen)
        #expect(harness.breaker.acquireProbe() != nil)
        #expect(harness.recorder.transitions == [Transition(from: .closed, to: .open), Transition(from: .open, to: .halfOpen)])
    }

    @Test(arguments: [1, 2, 3])
    func halfOpenAdmitsExactlyTheConfiguredNumberOfProbes(probes: Int) throws {
        let harness = Harness(policy: Self.policy(halfOpenProbes: probes))
        try harness.open()
        harness.time.advance(by: .seconds(5))
        for probe in 1...probes {
            #expect(harness.breaker.acquireProbe() != nil, "probe \(probe) of \(probes)")
        }
        #expect(harness.breaker.acquireProbe() == nil)
        #expect(harness.breaker.state == .halfOpen)
    }

    @Test func aSuccessfulProbeClosesTheBreakerWithAnEmptyWindow() throws {
        let harness = Harness(policy: Self.policy())
        try harness.open()
        harness.time.advance(by: .seconds(5))
        try harness.probe(success: true)
        #expect(harness.breaker.state == .closed)
        #expect(
            harness.recorder.transitions == [
                Transition(from: .closed, to: .open), Transition(from: .open, to: .halfOpen), Transition(from: .halfOpen, to: .closed),
            ]
        )
        // The failures that opened it are forgotten: three new ones are below minimumCalls.
        for _ in 0..<3 { try harness.call(success: false) }
        #expect(harness.breaker.state == .closed)
    }

    @Test func twoProbesNeedTwoSuccessesToClose() throws {
        let harness = Harness(policy: Self.policy(halfOpenProbes: 2))
        try harness.open()
        harness.time.advance(by: .seconds(5))
        let first = try #require(harness.breaker.acquireProbe())
        let second = try #require(harness.breaker.acquireProbe())
        harness.breaker.record(first, success: true)
        #expect(harness.breaker.state == .halfOpen)
        harness.breaker.record(second, success: true)
        #expect(harness.breaker.state == .closed)
        #expect(harness.recorder.transitions.last == Transition(from: .halfOpen, to: .closed))
    }

    @Test func aFailedProbeReopensAndRestartsTheOpenTimer() throws {
        let harness = Harness(policy: Self.policy())
        try harness.open()
        harness.time.advance(by: .seconds(5))
        let probe = try #require(harness.breaker.acquireProbe())
        harness.time.advance(by: .seconds(3))
        harness.breaker.record(probe, success: false)
        #expect(harness.breaker.state == .open)
        // 7 s after the first opening but only 4 s after the second.
        harness.time.advance(by: .seconds(4))
        #expect(harness.breaker.acquireProbe() == nil)
        harness.time.advance(by: .seconds(1))
        #expect(harness.breaker.acquireProbe() != nil)
        #expect(
            harness.recorder.transitions == [
                Transition(from: .closed, to: .open), Transition(from: .open, to: .halfOpen),
                Transition(from: .halfOpen, to: .open), Transition(from: .open, to: .halfOpen),
            ]
        )
    }

    @Test func aFailedProbeReopensEvenWhenAnotherProbeSucceeded() throws {
        let harness = Harness(policy: Self.policy(halfOpenProbes: 2))
        try harness.open()
        harness.time.advance(by: .seconds(5))
        let first = try #require(harness.breaker.acquireProbe())
        let second = try #require(harness.breaker.acquireProbe())
        harness.breaker.record(first, success: true)
        harness.breaker.record(second, success: false)
        #expect(harness.breaker.state == .open)
        #expect(harness.breaker.acquireProbe() == nil)
    }

    @Test func outcomesOfPermitsFromBeforeATransitionAreIgnored() throws {
        let harness = Harness(policy: Self.policy())
        let stale = (0..<4).compactMap { _ in harness.breaker.acquire() }
        #expect(stale.count == 4)
        try harness.open()
        // Late outcomes while open change nothing.
        harness.breaker.record(stale[0], success: true)
        #expect(harness.breaker.acquireProbe() == nil)
        harness.time.advance(by: .seconds(5))
        let probe = try #require(harness.breaker.acquireProbe())
        // Half-open: a stale failure must not reopen it, a stale success must not close it.
        harness.breaker.record(stale[1], success: false)
        #expect(harness.breaker.state == .halfOpen)
        harness.breaker.record(stale[2], success: true)
        #expect(harness.breaker.state == .halfOpen)
        harness.breaker.record(probe, success: true)
        #expect(harness.breaker.state == .closed)
        // Closed again: stale failures from the first closed period do not count in the new window.
        harness.breaker.record(stale[3], success: false)
        for _ in 0..<3 { try harness.call(success: false) }
        #expect(harness.breaker.state == .closed)
    }

    @Test func aProbeOutcomeArrivingAfterTheBreakerReopenedIsIgnored() throws {
        let harness = Harness(policy: Self.policy(halfOpenProbes: 2))
        try harness.open()
        harness.time.advance(by: .seconds(5))
        let failing = try #require(harness.breaker.acquireProbe())
        let late = try #require(harness.breaker.acquireProbe())
        harness.breaker.record(failing, success: false)
        harness.time.advance(by: .seconds(5))
        let probe = try #require(harness.breaker.acquireProbe())
        // Half-open again: the late success of a probe from the previous half-open period must not count.
        harness.breaker.record(late, success: true)
        harness.breaker.record(probe, success: true)
        #expect(harness.breaker.state == .halfOpen)
    }

    @Test func liveCallsWaitUntilAProbeHasClosedTheBreaker() throws {
        let harness = Harness(policy: Self.policy(halfOpenProbes: 2))
        #expect(harness.breaker.acquireProbe() == nil, "a closed breaker needs no probe")
        try harness.open()
        harness.time.advance(by: .seconds(5))
        // Half-open: only probes pass; the next live request (perhaps the one that keeps
        // failing for reasons of its own) is never the one that decides.
        #expect(harness.breaker.acquire() == nil)
        try harness.probe(success: true)
        #expect(harness.breaker.acquire() == nil)
        try harness.probe(success: true)
        #expect(harness.breaker.state == .closed)
        #expect(harness.breaker.acquire() != nil)
    }

    @Test func theRunningFailureCountForgetsFailuresThatLeftTheWindow() throws {
        // Window after window of 3 failures: the running count must drop each batch as it
        // leaves, or old failures would add up and open the breaker.
        let harness = Harness(policy: Self.policy())
        for _ in 0..<100 {
            for _ in 0..<3 { try harness.call(success: false) }
            harness.time.advance(by: .seconds(11))
            for success in [true, false, true, true] { try harness.call(success: success) }
            #expect(harness.breaker.state == .closed)
            harness.time.advance(by: .seconds(11))
        }
    }

    @Test func runReturnsTheValueAndCountsSuccesses() async throws {
        let harness = Harness(policy: Self.policy())
        let value = try await harness.breaker.run { 42 }
        #expect(value == 42)
        #expect(harness.breaker.state == .closed)
    }

    @Test func runRethrowsAndCountsOnlyErrorsClassifiedAsFailures() async throws {
        let harness = Harness(policy: Self.policy())
        let isFailure: (any Error) -> Bool = { !($0 is NotFound) }
        for _ in 0..<6 {
            await #expect(throws: NotFound.self) {
                try await harness.breaker.run(isFailure: isFailure) { () async throws -> Int in throw NotFound() }
            }
        }
        #expect(harness.breaker.state == .closed)
        for _ in 0..<6 {
            await #expect(throws: UpstreamFailure.self) {
                try await harness.breaker.run(isFailure: isFailure) { () async throws -> Int in throw UpstreamFailure() }
            }
        }
        // 6 failures of 12 calls: 50 %.
        #expect(harness.breaker.state == .open)
    }

    @Test func runCountsEveryErrorAsAFailureByDefault() async throws {
        let harness = Harness(policy: Self.policy())
        for _ in 0..<4 {
            await #expect(throws: NotFound.self) {
                try await harness.breaker.run { () async throws -> Int in throw NotFound() }
            }
        }
        #expect(harness.breaker.state == .open)
    }

    @Test func runThrowsCircuitOpenErrorWithoutCallingTheOperationWhenOpen() async throws {
        let harness = Harness(policy: Self.policy())
        try harness.open()
        let calls = Mutex(0)
        await #expect(throws: CircuitOpenError.self) {
            try await harness.breaker.run { calls.withLock { $0 += 1 } }
        }
        #expect(calls.withLock { $0 } == 0)
    }

    @Test func stateRawValuesAndDescriptionsAreWhatTheMetricAndStatusPageShow() {
        #expect(CircuitBreaker.State.closed.rawValue == 0)
        #expect(CircuitBreaker.State.halfOpen.rawValue == 1)
        #expect(CircuitBreaker.State.open.rawValue == 2)
        #expect([CircuitBreaker.State.closed, .halfOpen, .open].map(\.description) == ["closed", "half-open", "open"])
    }

    @Test func standardPolicyValues() {
        let standard = CircuitBreakerPolicy.standard
        #expect(standard.failureRateThreshold == 0.5)
        #expect(standard.minimumCalls == 5)
        #expect(standard.window == .seconds(10))
        #expect(standard.openDuration == .seconds(5))
        #expect(standard.halfOpenProbes == 1)
    }
}
