import Foundation
import Synchronization

/// Tokens whose signature and claims were verified, remembered until they expire: a client
/// sends the same access token with every request, and checking an ES256 signature costs far
/// more than a dictionary lookup.
///
/// An entry stands only while the key that verified it is still the key set's key for its `kid`
/// (``TokenVerifier`` asks ``KeySetCache``, which answers from memory), so a key removed from
/// auth stops verifying remembered tokens exactly when it stops verifying new ones. At most
/// ``capacity`` tokens are kept: when full, expired entries go first, then all of them (a
/// forgotten token is only verified again).
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        var identity: Identity
        var kid: String
        /// The raw representation of the public key that verified the signature.
        var key: Data
        var expiresAt: Date
    }

    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 1)
    }

    /// The entry of `token`, unless there is none or it has expired by `now`.
    func entry(for token: String, now: Date) -> Entry? {
        self.entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry
        }
    }

    /// Remembers a verified token until its entry's `expiresAt`.
    func remember(_ token: String, _ entry: Entry, now: Date) {
        guard entry.expiresAt > now else { return }
        self.entries.withLock { entries in
            if entries.count >= self.capacity, entries[token] == nil {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }

    /// How many tokens are remembered (for tests).
    var count: Int { self.entries.withLock { $0.count } }
}
