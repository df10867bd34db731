import DequeModule
import Synchronization

/// A circuit breaker guarding one upstream instance.
///
/// closed → open when, over the sliding window, at least `minimumCalls` calls were made and the
/// failure ratio reached the threshold; open → half-open after `openDuration`; half-open lets
/// `halfOpenProbes` probes through: that many successes close it, any failure opens it again.
///
/// Live calls are admitted only while closed (``acquire()``). Probes are asked for separately
/// (``acquireProbe()``), so a caller can probe with a health check of the instance rather than
/// with whatever request happens to come next: one poisoned kind of request must not decide
/// whether an instance is healthy. Recording an outcome costs O(1) amortized: the window keeps
/// a running failure count instead of counting on every call.
public final class CircuitBreaker: Sendable {
    /// The breaker's state; `rawValue` is what the state metric reports.
    public enum State: Int, Sendable, CustomStringConvertible {
        case closed = 0
        case halfOpen = 1
        case open = 2

        public var description: String {
            switch self {
            case .closed: "closed"
            case .halfOpen: "half-open"
            case .open: "open"
            }
        }
    }

    /// A granted call; report its outcome exactly once with ``CircuitBreaker/record(_:success:)``.
    public struct Permit: Sendable {
        fileprivate let generation: Int
    }

    private struct Machine {
        var state: State = .closed
        var outcomes: Deque<(at: ContinuousClock.Instant, success: Bool)> = []
        /// Failures among `outcomes`.
        var failures = 0
        var openedAt: ContinuousClock.Instant?
        var probesInFlight = 0
        var probeSuccesses = 0
        /// Bumped on every transition, so outcomes of calls admitted in an earlier state are ignored.
        var generation = 0
    }

    public let policy: CircuitBreakerPolicy
    private let time: TimeSource
    private let machine = Mutex(Machine())
    private let onTransition: @Sendable (State, State) -> Void

    /// - Parameter onTransition: called with (from, to) after each state change, outside the lock.
    public init(policy: CircuitBreakerPolicy, time: TimeSource = .continuous, onTransition: @escaping @Sendable (State, State) -> Void = { _, _ in })
    {
        self.policy = policy
        self.time = time
        self.onTransition = onTransition
    }

    /// The current state (an open breaker whose wait is over reports half-open).
    public var state: State {
        let now = self.time.now
        return self.machine.withLock { machine in
            if machine.state == .open, let openedAt = machine.openedAt, now - openedAt >= self.policy.openDuration { return .halfOpen }
            return machine.state
        }
    }

    /// Asks to make a live call: a permit while closed, `nil` otherwise.
    public func acquire() -> Permit? {
        self.machine.withLock { machine in
            machine.state == .closed ? Permit(generation: machine.generation) : nil
        }
    }

    /// Asks to probe the instance: a permit when the breaker is open and its wait is over (it
    /// turns half-open) or half-open with a probe slot free; `nil` otherwise (closed included).
    public func acquireProbe() -> Permit? {
        let now = self.time.now
        var transition: (State, State)?
        let permit: Permit? = self.machine.withLock { machine in
            switch machine.state {
            case .closed:
                return nil
            case .open:
                guard let openedAt = machine.openedAt, now - openedAt >= self.policy.openDuration else { return nil }
                transition = Self.move(&machine, to: .halfOpen, at: now)
                machine.probesInFlight = 1
                return Permit(generation: machine.generation)
            case .halfOpen:
                guard machine.probesInFlight < self.policy.halfOpenProbes else { return nil }
                machine.probesInFlight += 1
                return Permit(generation: machine.generation)
            }
        }
        if let (from, to) = transition { self.onTransition(from, to) }
        return permit
    }

    /// Records the outcome of a permitted call.
    public func record(_ permit: Permit, success: Bool) {
        let now = self.time.now
        var transition: (State, State)?
        self.machine.withLock { machine in
            guard permit.generation == machine.generation else { return }
            switch machine.state {
            case .closed:
                machine.outcomes.append((now, success))
                if !success { machine.failures += 1 }
                while let first = machine.outcomes.first, now - first.at > self.policy.window {
                    machine.outcomes.removeFirst()
                    if !first.success { machine.failures -= 1 }
                }
                if machine.outcomes.count >= self.policy.minimumCalls,
                    Double(machine.failures) / Double(machine.outcomes.count) >= self.policy.failureRateThreshold
                {
                    transition = Self.move(&machine, to: .open, at: now)
                }
            case .halfOpen:
                machine.probesInFlight = max(0, machine.probesInFlight - 1)
                if !success {
                    transition = Self.move(&machine, to: .open, at: now)
                } else {
                    machine.probeSuccesses += 1
                    if machine.probeSuccesses >= self.policy.halfOpenProbes { transition = Self.move(&machine, to: .closed, at: now) }
                }
            case .open:
                break
            }
        }
        if let (from, to) = transition { self.onTransition(from, to) }
    }

    /// Runs `operation` through the breaker; `isFailure` classifies errors (default: all are).
    /// With no separate health check, the operation itself is the probe of a half-open breaker.
    public func run<Value>(
        isFailure: (any Error) -> Bool = { _ in true },
        _ operation: () async throws -> Value
    ) async throws -> Value {
        guard let permit = self.acquire() ?? self.acquireProbe() else { throw CircuitOpenError() }
        do {
            let value = try await operation()
            self.record(permit, success: true)
            return value
        } catch {
            self.record(permit, success: !isFailure(error))
            throw error
        }
    }

    private static func move(_ machine: inout Machine, to state: State, at now: ContinuousClock.Instant) -> (State, State) {
        let from = machine.state
        machine.state = state
        machine.generation += 1
        machine.outcomes.removeAll()
        machine.failures = 0
        machine.probesInFlight = 0
        machine.probeSuccesses = 0
        machine.openedAt = state == .open ? now : nil
        return (from, state)
    }
}

/// The breaker is open: the call was not attempted.
public struct CircuitOpenError: Error, Sendable {}
