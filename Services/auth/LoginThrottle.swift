import Logging
import ServiceKit

/// Counts failed logins in Redis per account and per client over a fixed window and refuses
/// further attempts once either count reaches its limit. Counters are shared by every auth
/// replica; if Redis is unreachable, logins are not throttled (and that is logged) rather than
/// refused for everyone.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    let perAccount: Int
    let perClient: Int
    let window: Duration

    init(redis: RedisClient, settings: SettingsReader) throws {
        self.redis = redis
        self.perAccount = try settings.int("auth.loginMaxFailuresPerAccount", default: 5, range: 1...1_000)
        self.perClient = try settings.int("auth.loginMaxFailuresPerClient", default: 20, range: 1...100_000)
        self.window = try settings.seconds("auth.loginWindowSeconds", default: .seconds(900), range: 1...86_400)
    }

    /// 429 with `Retry-After` when the account or the client is locked out.
    func check(account: String, client: String, logger: Logger) async throws {
        let keys = [Self.accountKey(account), Self.clientKey(client)]
        let replies: [RESPValue]
        do {
            replies = try await self.redis.pipeline(keys.flatMap { [["GET", RedisArgument($0)], ["PTTL", RedisArgument($0)]] })
        } catch {
            logger.warning("login throttle unavailable", metadata: ["error": "\(error)"])
            return
        }
        guard replies.count == 4 else { return }
        let limits = [self.perAccount, self.perClient]
        for index in 0..<2 {
            let failures = replies[index * 2].string.flatMap(Int.init) ?? 0
            guard failures >= limits[index] else { continue }
            let milliseconds = replies[index * 2 + 1].int ?? 0
            // Rounded up without `+ 999`, which would overflow on a reply near Int.max.
            let seconds = max(1, milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0))
            logger.info("login throttled", metadata: ["throttle.scope": "\(index == 0 ? "account" : "client")"])
            throw ProblemError.tooManyRequests("Too many failed logins. Try again in \(seconds) seconds.", retryAfterSeconds: seconds)
        }
    }

    /// Counts a failure against both; a window starts with its first failure.
    func recordFailure(account: String, client: String, logger: Logger) async {
        let windowMilliseconds = Int(self.window / .milliseconds(1))
        var commands: [[RedisArgument]] = []
        for key in [Self.accountKey(account), Self.clientKey(client)] {
            commands.append(["SET", RedisArgument(key), "0", "PX", RedisArgument(String(windowMilliseconds)), "NX"])
            commands.append(["INCR", RedisArgument(key)])
        }
        do {
            _ = try await self.redis.pipeline(commands)
        } catch {
            logger.warning("login throttle unavailable", metadata: ["error": "\(error)"])
        }
    }

    /// A successful login clears the account's count (not the client's).
    func recordSuccess(account: String, logger: Logger) async {
        do {
            _ = try await self.redis.send("DEL", RedisArgument(Self.accountKey(account)))
        } catch {
            logger.warning("login throttle unavailable", metadata: ["error": "\(error)"])
        }
    }

    static func accountKey(_ email: String) -> String { "auth:login-failures:account:\(email)" }
    static func clientKey(_ client: String) -> String { "auth:login-failures:client:\(client)" }
}
