import Synchronization

/// Bounds the calls in flight to one dependency; a call over the limit fails at once (the
/// caller answers 503) instead of queueing, so a slow dependency cannot take every
/// connection and task of the process with it.
public final class Bulkhead: Sendable {
    public let limit: Int
    private let inFlight = Mutex(0)

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot, or `false` when all are taken.
    public func tryAcquire() -> Bool {
        self.inFlight.withLock { count in
            guard count < self.limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives a slot back.
    public func release() {
        self.inFlight.withLock { count in count = max(0, count - 1) }
    }

    /// Calls in flight now.
    public var active: Int { self.inFlight.withLock { $0 } }
}

/// One bulkhead per dependency, created on first use.
public final class BulkheadRegistry: Sendable {
    public let limit: Int
    private let bulkheads = Mutex<[String: Bulkhead]>([:])

    public init(limit: Int) {
        self.limit = limit
    }

    public func bulkhead(for service: String) -> Bulkhead {
        self.bulkheads.withLock { bulkheads in
            if let existing = bulkheads[service] { return existing }
            let created = Bulkhead(limit: self.limit)
            bulkheads[service] = created
            return created
        }
    }
}
