import ServiceKit

extension LoginThrottle {
    /// KEYS: the pair (a hash: `failures`, `until`), the account's count, the client's count, the
    /// pair's "logged in before" mark. ARGV: now (ms), failures before delay, first delay (ms),
    /// maximum delay (ms), window (ms), per-account ceiling, account window (ms), per-client
    /// ceiling. Returns `{1, "admitted", failures}` or `{0, scope, retry after (ms)}`.
    ///
    /// Admission counts the attempt as a failure at once; the attempt that reaches the
    /// threshold sets the pair's wait before its own password is checked.
    static let admission = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
        if lockedUntil > now then return {0, 'pair', lockedUntil - now} end
        local known = redis.call('EXISTS', KEYS[4]) == 1
        local accountFailures = tonumber(redis.call('GET', KEYS[2]) or '0')
        if not known and accountFailures >= tonumber(ARGV[6]) then
            return {0, 'account', math.max(redis.call('PTTL', KEYS[2]), 1000)}
        end
        local clientFailures = tonumber(redis.call('GET', KEYS[3]) or '0')
        if clientFailures >= tonumber(ARGV[8]) then
            return {0, 'client', math.max(redis.call('PTTL', KEYS[3]), 1000)}
        end
        local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
        local free = tonumber(ARGV[2])
        local delay = 0
        if failures >= free then
            delay = math.floor(math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (failures - free)))
            redis.call('HSET', KEYS[1], 'until', string.format('%d', now + delay))
        end
        redis.call('PEXPIRE', KEYS[1], delay + tonumber(ARGV[5]))
        redis.call('SET', KEYS[2], '0', 'PX', ARGV[7], 'NX')
        redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[3], '0', 'PX', ARGV[5], 'NX')
        redis.call('INCR', KEYS[3])
        return {1, 'admitted', failures}
        """
    )

    /// KEYS as ``admission``. ARGV: `success` or `release`, how long to mark the address as
    /// known (ms, 0: not at all). Both take the attempt off the account's and client's counts;
    /// `success` also forgets the pair and marks the address, `release` only takes the attempt
    /// off the pair's count (a wait it started stays).
    static let settlement = RedisScript(
        """
        for i = 2, 3 do
            if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
        end
        if ARGV[1] == 'success' then
            redis.call('DEL', KEYS[1])
            if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[4], '1', 'PX', ARGV[2]) end
        elseif tonumber(redis.call('HGET', KEYS[1], 'failures') or '0') > 0 then
            redis.call('HINCRBY', KEYS[1], 'failures', -1)
        end
        return 1
        """
    )
}
