import Foundation
import Logging
import ServiceKit

/// Decides whether a login may go on to the password check, in one atomic Redis script that
/// counts the attempt as it admits it, so parallel guesses cannot all pass while the first ones
/// are still being hashed. Three limits, shared by every auth replica:
///
/// - per (account, client address): after ``LoginThrottleSettings/failuresBeforeDelay`` failures
///   each further try waits, the wait doubling with each failure up to a maximum. Someone
///   guessing from elsewhere never delays the owner's own address;
/// - per account, from all addresses: a much higher ceiling that stops distributed guessing. An
///   address that logged in to the account recently is exempt, so the owner keeps getting in;
/// - per client address, for all accounts.
///
/// Every key is a SHA-256 of the account or address, never the input itself. An admitted attempt
/// counts as a failure until ``succeeded(_:logger:)`` refunds it (or ``abandoned(_:logger:)``, when
/// the check itself failed). If Redis is unreachable, logins are not throttled (and that is
/// logged) rather than refused for everyone.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    let settings: LoginThrottleSettings
    /// Wall-clock milliseconds since 1970, shared by the replicas (a lock's end is stored).
    let now: @Sendable () -> Int64

    /// A login allowed to reach the password check.
    struct Attempt: Sendable {
        /// `nil` when Redis could not be asked: nothing to settle.
        let keys: Keys?
    }

    /// The Redis keys of one (account, client address) pair.
    struct Keys: Sendable, Equatable {
        let pair: String
        let account: String
        let client: String
        let known: String

        init(account: String, client: String) {
            self.pair = RedisKey.hashed("auth:login:pair", account, client)
            self.account = RedisKey.hashed("auth:login:account", account)
            self.client = RedisKey.hashed("auth:login:client", client)
            self.known = RedisKey.hashed("auth:login:known", account, client)
        }

        var all: [RedisArgument] { [self.pair, self.account, self.client, self.known].map { RedisArgument($0) } }
    }

    init(redis: RedisClient, settings: LoginThrottleSettings, now: @escaping @Sendable () -> Int64 = { LoginThrottle.wallClock() }) {
        self.redis = redis
        self.settings = settings
        self.now = now
    }

    /// The attempt, counted; 429 with `Retry-After` when a limit refuses it.
    func admit(account: String, client: String, logger: Logger) async throws -> Attempt {
        let keys = Keys(account: account, client: client)
        let settings = self.settings
        let arguments: [Int] = [
            Int(self.now()),
            settings.failuresBeforeDelay,
            Self.milliseconds(settings.firstDelay),
            Self.milliseconds(settings.maximumDelay),
            Self.milliseconds(settings.window),
            settings.perAccount,
            Self.milliseconds(settings.accountWindow),
            settings.perClient,
        ]
        let reply: RESPValue
        do {
            reply = try await self.redis.evaluate(Self.admission, keys: keys.all, arguments: arguments.map { RedisArgument($0) })
        } catch {
            logger.warning("login throttle unavailable", metadata: ["error": "\(error)"])
            return Attempt(keys: nil)
        }
        guard let fields = reply.array, fields.count == 3, let admitted = fields[0].int else {
            logger.warning("login throttle gave an unexpected reply", metadata: ["redis.reply": "\(reply)"])
            return Attempt(keys: nil)
        }
        guard admitted == 0 else { return Attempt(keys: keys) }
        let scope = fields[1].string ?? "unknown"
        let seconds = Self.secondsRoundedUp(milliseconds: fields[2].int ?? 0)
        logger.info("login throttled", metadata: ["throttle.scope": "\(scope)", "throttle.retry_after_seconds": "\(seconds)"])
        throw ProblemError.tooManyRequests("Too many failed logins. Try again in \(seconds) seconds.", retryAfterSeconds: seconds)
    }

    /// The password matched: the attempt is not a failure, the pair starts over, and the address
    /// is known to the account from now on.
    func succeeded(_ attempt: Attempt, logger: Logger) async {
        await self.settle(attempt, mode: "success", logger: logger)
    }

    /// The check could not be made (a database error): the attempt does not count.
    func abandoned(_ attempt: Attempt, logger: Logger) async {
        await self.settle(attempt, mode: "release", logger: logger)
    }

    private func settle(_ attempt: Attempt, mode: String, logger: Logger) async {
        guard let keys = attempt.keys else { return }
        do {
            try await self.redis.evaluate(
                Self.settlement,
                keys: keys.all,
                arguments: [RedisArgument(mode), RedisArgument(Self.milliseconds(self.settings.knownClientFor))]
            )
        } catch {
            logger.warning("login throttle unavailable", metadata: ["error": "\(error)"])
        }
    }

    /// The current wall-clock time in milliseconds.
    static func wallClock() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration / .milliseconds(1))
    }

    /// At least 1; rounded up without `+ 999`, which would overflow on a reply near Int.max.
    static func secondsRoundedUp(milliseconds: Int) -> Int {
        max(1, milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0))
    }
}
