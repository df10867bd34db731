import Synchronization

/// A monotonic clock that time-dependent logic reads, so tests can move time by hand.
public struct TimeSource: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant

    public init(_ read: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.read = read
    }

    /// The current instant.
    public var now: ContinuousClock.Instant { self.read() }

    /// The process's continuous clock.
    public static let continuous = TimeSource { ContinuousClock.now }
}

/// A clock that only moves when told to; for tests.
public final class ManualTime: Sendable {
    private let current: Mutex<ContinuousClock.Instant>

    public init(start: ContinuousClock.Instant = ContinuousClock.now) {
        self.current = Mutex(start)
    }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        self.current.withLock { $0 = $0.advanced(by: duration) }
    }

    /// A time source reading this clock.
    public var source: TimeSource {
        TimeSource { self.current.withLock { $0 } }
    }
}
