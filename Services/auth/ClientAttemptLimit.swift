import Logging
import ServiceKit

/// At most `limit` counted attempts per client address within a window (starting with the
/// first), shared by every auth replica: registrations, failed refreshes. The count is taken
/// and checked in one atomic Redis script before the work; an attempt that should not count
/// is refunded afterwards. The key is a SHA-256 of the address. If Redis is unreachable, the
/// attempt goes ahead (and that is logged).
struct ClientAttemptLimit: Sendable {
    let redis: RedisClient
    /// The key prefix, e.g. `auth:register:client`.
    let scope: String
    let limit: Int
    let window: Duration
    /// What a refused client is told, before "Try again in N seconds."
    let refusal: String

    /// A counted attempt; `nil` key when Redis could not be asked.
    struct Attempt: Sendable {
        let key: String?
    }

    /// Counts the attempt; 429 with `Retry-After` once the client has used up the window's limit.
    func take(client: String, logger: Logger) async throws -> Attempt {
        let key = RedisKey.hashed(self.scope, client)
        let reply: RESPValue
        do {
            reply = try await self.redis.evaluate(
                Self.script,
                keys: [RedisArgument(key)],
                arguments: [RedisArgument(self.limit), RedisArgument(LoginThrottle.milliseconds(self.window))]
            )
        } catch {
            logger.warning("attempt limit unavailable", metadata: ["throttle.scope": "\(self.scope)", "error": "\(error)"])
            return Attempt(key: nil)
        }
        guard let fields = reply.array, fields.count == 2, let allowed = fields[0].int else {
            logger.warning("attempt limit gave an unexpected reply", metadata: ["redis.reply": "\(reply)"])
            return Attempt(key: nil)
        }
        guard allowed == 0 else { return Attempt(key: key) }
        let seconds = LoginThrottle.secondsRoundedUp(milliseconds: fields[1].int ?? 0)
        logger.info("attempt limited", metadata: ["throttle.scope": "\(self.scope)", "throttle.retry_after_seconds": "\(seconds)"])
        throw ProblemError.tooManyRequests("\(self.refusal) Try again in \(seconds) seconds.", retryAfterSeconds: seconds)
    }

    /// Takes the attempt off the count (it turned out not to be one that counts).
    func refund(_ attempt: Attempt, logger: Logger) async {
        guard let key = attempt.key else { return }
        do {
            try await self.redis.evaluate(Self.refundScript, keys: [RedisArgument(key)])
        } catch {
            logger.warning("attempt limit unavailable", metadata: ["throttle.scope": "\(self.scope)", "error": "\(error)"])
        }
    }

    /// KEYS[1] the count; ARGV limit, window (ms). Returns `{1, count}` or `{0, retry after (ms)}`.
    static let script = RedisScript(
        """
        local used = tonumber(redis.call('GET', KEYS[1]) or '0')
        if used >= tonumber(ARGV[1]) then return {0, math.max(redis.call('PTTL', KEYS[1]), 1000)} end
        redis.call('SET', KEYS[1], '0', 'PX', ARGV[2], 'NX')
        return {1, redis.call('INCR', KEYS[1])}
        """
    )

    /// KEYS[1] the count, decremented unless already 0 or gone.
    static let refundScript = RedisScript(
        """
        if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
        return 1
        """
    )
}

extension ClientAttemptLimit {
    /// `POST /v1/auth/register`: every attempt that passes validation counts (a taken email too).
    static func registrations(redis: RedisClient, settings: SettingsReader) throws -> Self {
        Self(
            redis: redis,
            scope: "auth:register:client",
            limit: try settings.int("auth.registerMaxPerClient", default: 20, range: 1...1_000_000),
            window: try settings.seconds("auth.registerWindowSeconds", default: .seconds(3600), range: 1...86_400),
            refusal: "Too many registrations from this address."
        )
    }

    /// `POST /v1/auth/refresh`: failed refreshes count (a successful one is refunded).
    static func refreshFailures(redis: RedisClient, settings: SettingsReader) throws -> Self {
        Self(
            redis: redis,
            scope: "auth:refresh:client",
            limit: try settings.int("auth.refreshMaxFailuresPerClient", default: 20, range: 1...1_000_000),
            window: try settings.seconds("auth.refreshWindowSeconds", default: .seconds(900), range: 1...86_400),
            refusal: "Too many failed token refreshes from this address."
        )
    }
}
