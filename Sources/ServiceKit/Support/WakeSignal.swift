import Synchronization

/// Wakes an idle background worker when work arrives, so workers can wait long between polls
/// and still start at once: the code that creates work (after its transaction commits) calls
/// ``signal()``; an idle worker calls ``wait(upTo:)``, which returns on a signal or after the
/// timeout, whichever comes first.
///
/// A signal wakes one waiting worker. Sent while nobody waits, it is kept (at most one) for the
/// next ``wait(upTo:)``, which then returns at once: work that arrives between a worker's empty
/// look and its wait is not left until the timeout. A worker that found work signals once
/// itself, so that another one joins while there may be more.
public final class WakeSignal: Sendable {
    private struct State {
        var nextID = 0
        /// A signal that found nobody waiting.
        var pending = false
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        /// Waits ended by their timeout before their continuation was stored.
        var expired: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes one waiting worker, or the next one to wait.
    public func signal() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let id = state.waiters.keys.min() else {
                state.pending = true
                return nil
            }
            return state.waiters.removeValue(forKey: id)
        }
        waiter?.resume(returning: true)
    }

    /// Returns after a signal (true), or after `timeout` or when the task is cancelled (false).
    @discardableResult
    public func wait(upTo timeout: Duration) async -> Bool {
        let id: Int? = self.state.withLock { state in
            if state.pending {
                state.pending = false
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        let signalled = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancelled when the signal comes first; ends the wait either way.
                try? await Task.sleep(for: timeout)
                self.end(id)
            }
            let signalled = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ended = self.state.withLock { state -> Bool in
                    if state.expired.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ended { continuation.resume(returning: false) }
            }
            group.cancelAll()
            return signalled
        }
        // The timer task ended after the continuation had been resumed; forget its mark.
        _ = self.state.withLock { $0.expired.remove(id) }
        return signalled
    }

    /// Ends wait `id`: resumes it, or marks it so it ends as soon as it stores its continuation.
    private func end(_ id: Int) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            state.expired.insert(id)
            return nil
        }
        waiter?.resume(returning: false)
    }
}
