import Logging
import ServiceKit
import Synchronization

/// A key set served from memory, counting fetches; a verifier's only collaborator. A fetch can
/// be made to fail, or to wait at a ``Gate`` until the test opens it.
final class KeySetStub: KeySetSource {
    private let state: Mutex<(keys: [SigningKey], fetches: Int, failing: Bool, gate: Gate?)>

    init(_ keys: [SigningKey]) {
        self.state = Mutex((keys, 0, false, nil))
    }

    /// How many fetches have started.
    var fetches: Int { self.state.withLock { $0.fetches } }

    func publish(_ keys: [SigningKey]) {
        self.state.withLock { $0.keys = keys }
    }

    func setFailing(_ failing: Bool) {
        self.state.withLock { $0.failing = failing }
    }

    /// Every fetch from now on waits for `gate` before it answers.
    func hold(at gate: Gate?) {
        self.state.withLock { $0.gate = gate }
    }

    func fetchKeySet(logger: Logger) async throws -> String {
        let gate = self.state.withLock { state in
            state.fetches += 1
            return state.gate
        }
        await gate?.wait()
        let (keys, failing) = self.state.withLock { ($0.keys, $0.failing) }
        if failing { throw KeySetUnavailable(reason: "auth is down") }
        return "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
    }
}
