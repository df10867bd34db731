import ServiceKit
import Synchronization

/// Records the (from, to) pairs a ``CircuitBreaker`` reports.
final class TransitionRecorder: Sendable {
    struct Transition: Equatable, CustomStringConvertible {
        let from: CircuitBreaker.State
        let to: CircuitBreaker.State
        var description: String { "\(self.from)→\(self.to)" }
    }

    private let storage = Mutex<[Transition]>([])

    var transitions: [Transition] { self.storage.withLock { $0 } }

    func record(_ from: CircuitBreaker.State, _ to: CircuitBreaker.State) {
        self.storage.withLock { $0.append(Transition(from: from, to: to)) }
    }
}
