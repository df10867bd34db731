import Crypto
import Logging
import Synchronization

/// Auth's public keys as a verifier holds them: an immutable ``KeySetSnapshot`` behind a mutex,
/// read synchronously on the request path, and fetched again
///
/// - when it is `maxAge` old (requests then wait for the new set, so a key removed from auth
///   stops verifying within `maxAge`; from 80 % of that age a fetch starts in the background,
///   so they seldom have to),
/// - when a token names a key it does not hold, at most once per `refreshInterval` (a forged
///   `kid` cannot make the service hammer auth),
///
/// with at most one fetch in flight (concurrent callers share it) and an exponential back-off
/// after a failed fetch (no fetch storm while auth is down). While auth cannot be reached, the
/// last set keeps verifying the keys it holds; a key it does not hold is unavailable (503).
public final class KeySetCache: Sendable {
    let source: any KeySetSource
    let time: TimeSource
    let maxAge: Duration
    let refreshInterval: Duration
    let backoff: Backoff
    private let state = Mutex(State())

    struct State {
        var snapshot: KeySetSnapshot?
        /// When the fetch that gave `snapshot` started.
        var fetchedAt: ContinuousClock.Instant?
        /// Consecutive failed fetches.
        var failures = 0
        /// No fetch before this, after a failure.
        var retryAt: ContinuousClock.Instant?
        var lastFailure = "not fetched yet"
        var inFlight: Task<Void, Never>?
    }

    /// What a lookup does next.
    private enum Step {
        case found(P256.Signing.PublicKey)
        case unknown
        case unavailable(String)
        case wait(Task<Void, Never>)
    }

    public init(source: any KeySetSource, policy: TokenPolicy, time: TimeSource = .continuous) {
        self.source = source
        self.time = time
        self.maxAge = policy.keySetMaxAge
        self.refreshInterval = policy.keySetRefreshInterval
        self.backoff = Backoff(initial: policy.keySetRefreshInterval, maximum: max(policy.keySetRetryMaximum, policy.keySetRefreshInterval))
    }

    /// The key with id `kid`; throws ``TokenRejection`` when auth does not publish it and
    /// ``KeySetUnavailable`` when that cannot be known now.
    public func key(_ kid: String, logger: Logger) async throws -> P256.Signing.PublicKey {
        var mayFetch = true
        while true {
            switch self.step(kid, mayFetch: mayFetch, logger: logger) {
            case .found(let key): return key
            case .unknown: throw TokenRejection(reason: "unknown key id")
            case .unavailable(let reason): throw KeySetUnavailable(reason: reason)
            case .wait(let fetch):
                await fetch.value
                // The fetch waited for has settled the question; never start another for it.
                mayFetch = false
            }
        }
    }

    /// Decides, under the lock, from the snapshot and the clock; starts a fetch when one is due.
    private func step(_ kid: String, mayFetch: Bool, logger: Logger) -> Step {
        self.state.withLock { state in
            let now = self.time.now
            let age = state.fetchedAt.map { now - $0 }
            let current = age.map { $0 < self.maxAge } ?? false
            if current, let key = state.snapshot?.keys[kid] {
                if let age, age >= self.maxAge / 5 * 4, state.inFlight == nil, !Self.backingOff(state, now) {
                    // Renew ahead of expiry; this request does not wait for it.
                    state.inFlight = self.startFetch(logger: logger)
                }
                return .found(key)
            }
            if let inFlight = state.inFlight, mayFetch { return .wait(inFlight) }
            let knownKey = state.snapshot?.keys[kid]
            if current {
                // An unknown kid: fetch unless the set is newer than the refresh interval.
                if let age, age < self.refreshInterval { return .unknown }
            }
            if !mayFetch || Self.backingOff(state, now) {
                if let knownKey { return .found(knownKey) }
                // Unknown when the last fetch succeeded; after a failure, nobody can tell.
                return state.failures == 0 ? .unknown : .unavailable(state.lastFailure)
            }
            let fetch = self.startFetch(logger: logger)
            state.inFlight = fetch
            return .wait(fetch)
        }
    }

    private static func backingOff(_ state: State, _ now: ContinuousClock.Instant) -> Bool {
        state.retryAt.map { now < $0 } ?? false
    }

    /// A fetch that records its outcome in the state itself, so it completes even when every
    /// request that waited for it has gone.
    private func startFetch(logger: Logger) -> Task<Void, Never> {
        Task {
            let started = self.time.now
            let outcome: Result<KeySetSnapshot, KeySetUnavailable>
            do {
                outcome = .success(try KeySetSnapshot(jwks: try await self.source.fetchKeySet(logger: logger)))
            } catch let error as KeySetUnavailable {
                outcome = .failure(error)
            } catch {
                outcome = .failure(KeySetUnavailable(reason: "\(error)"))
            }
            self.record(outcome, started: started, logger: logger)
        }
    }

    private func record(_ outcome: Result<KeySetSnapshot, KeySetUnavailable>, started: ContinuousClock.Instant, logger: Logger) {
        self.state.withLock { state in
            state.inFlight = nil
            switch outcome {
            case .success(let snapshot):
                state.snapshot = snapshot
                state.fetchedAt = started
                state.failures = 0
                state.retryAt = nil
                logger.debug("key set refreshed", metadata: ["jwks.keys": "\(snapshot.keys.count)"])
            case .failure(let error):
                state.failures += 1
                let delay = self.backoff.delay(afterAttempt: state.failures)
                state.retryAt = self.time.now + delay
                state.lastFailure = error.reason
                logger.warning(
                    "could not fetch the key set",
                    metadata: ["error": "\(error.reason)", "jwks.failures": "\(state.failures)", "jwks.retry_ms": "\(delay / .milliseconds(1))"]
                )
            }
        }
    }
}
