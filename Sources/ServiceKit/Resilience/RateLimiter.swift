import Logging
import Synchronization

/// A rate: `rate` requests per second on average, bursts of up to `burst`.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public var rate: Double
    public var burst: Int

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }

    /// Parses `rate/burst`, e.g. `20/40`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let rate = Double(parts[0]), rate > 0, let burst = Int(parts[1]), burst >= 1 else { return nil }
        self.init(rate: rate, burst: burst)
    }

    public var description: String { "\(self.rate)/\(self.burst)" }
}

/// Token buckets shared by every replica through Redis (one atomic script per request, on
/// Redis's clock); while Redis cannot be reached, each process limits with buckets of its own
/// instead of failing the request.
public final class RateLimiter: Sendable {
    let redis: RedisClient
    let logger: Logger
    let time: TimeSource
    private let local = Mutex<[String: TokenBucket]>([:])
    /// Local buckets kept at most; beyond it they start over (a full bucket is the default).
    let localCapacity: Int

    public init(redis: RedisClient, logger: Logger, time: TimeSource = .continuous, localCapacity: Int = 100_000) {
        self.redis = redis
        self.logger = logger
        self.time = time
        self.localCapacity = localCapacity
    }

    /// Takes a token from the bucket `key` under `limit`.
    public func take(key: String, limit: RateLimit) async -> TokenBucket.Decision {
        do {
            return try await self.takeShared(key: key, limit: limit)
        } catch {
            self.logger.debug("rate limiting locally: Redis unavailable", metadata: ["error": "\(error)"])
            return self.takeLocal(key: key, limit: limit)
        }
    }

    /// The process-local bucket (the fallback), also used directly by tests.
    public func takeLocal(key: String, limit: RateLimit) -> TokenBucket.Decision {
        let now = self.time.now
        return self.local.withLock { buckets in
            if buckets.count >= self.localCapacity, buckets[key] == nil { buckets.removeAll(keepingCapacity: true) }
            var bucket = buckets[key] ?? TokenBucket(rate: limit.rate, burst: limit.burst, now: now)
            if bucket.rate != limit.rate || bucket.burst != limit.burst { bucket = TokenBucket(rate: limit.rate, burst: limit.burst, now: now) }
            let decision = bucket.take(now: now)
            buckets[key] = bucket
            return decision
        }
    }

    /// KEYS[1] the bucket; ARGV rate per second, burst. Returns {allowed, remaining, retry ms}.
    /// Sent by its digest (`EVALSHA`), not as source on every request.
    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or burst
        local at = tonumber(state[2]) or now
        if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
            tokens = tokens - 1
            allowed = 1
        else
            wait = math.ceil((1 - tokens) * 1000 / rate)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
        return {allowed, math.floor(tokens), wait}
        """
    )

    private func takeShared(key: String, limit: RateLimit) async throws -> TokenBucket.Decision {
        let reply = try await self.redis.evaluate(
            Self.script,
            keys: [RedisArgument(key)],
            arguments: [RedisArgument(String(limit.rate)), RedisArgument(String(limit.burst))]
        )
        guard let values = reply.array, values.count == 3, let allowed = values[0].int, let remaining = values[1].int, let wait = values[2].int
        else { throw RedisClientError.protocolError("unexpected rate limit reply: \(reply)") }
        return TokenBucket.Decision(allowed: allowed == 1, remaining: max(0, remaining), retryAfter: .milliseconds(wait))
    }
}
