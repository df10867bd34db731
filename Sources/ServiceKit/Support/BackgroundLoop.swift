import ServiceLifecycle
import Synchronization

/// Runs a background loop until graceful shutdown (or cancellation) and returns normally
/// then: a loop that is cancelled in its sleep has not failed, and the process must still
/// exit 0. The loop starts once the process's start-up (migrations, seeding) is done, so it
/// never queries tables that do not exist yet. Errors other than cancellation are rethrown.
public func runUntilShutdown(_ loop: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown {
            await StartupGate.shared.wait()
            try Task.checkCancellation()
            try await loop()
        }
    } catch is CancellationError {
        return
    }
}

/// Opened when the service has finished starting; background loops wait for it. Open unless
/// ``ServiceRuntime`` closed it at process start (so loops used on their own, in tests, run at once).
public final class StartupGate: Sendable {
    public static let shared = StartupGate()

    private struct State {
        var open = true
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Whether start-up is done.
    public var isOpen: Bool { self.state.withLock { $0.open } }

    /// Closes the gate: loops wait until ``open()``.
    public func close() {
        self.state.withLock { $0.open = false }
    }

    /// Opens the gate and lets every waiting loop go.
    public func open() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the gate is open, or at once when the task is cancelled (callers check).
    public func wait() async {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = self.state.withLock { state -> Bool in
                    if state.open || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
