import ServiceKit

/// A value computed at most once per `maxAge` per key, with one computation in flight at a time:
/// callers in the meantime get the last value (never older than `maxAge`, counted from when its
/// computation started) or wait for the running one.
actor RecentValue<Key: Hashable & Sendable, Value: Sendable> {
    let maxAge: Duration
    let time: TimeSource
    private var values: [Key: (value: Value, startedAt: ContinuousClock.Instant)] = [:]
    private var running: [Key: Task<Value, Never>] = [:]

    init(maxAge: Duration, time: TimeSource = .continuous) {
        self.maxAge = maxAge
        self.time = time
    }

    /// The value for `key`: the remembered one while young enough, else `compute`'s (shared with
    /// every caller that asks while it runs).
    func value(for key: Key, compute: @escaping @Sendable () async -> Value) async -> Value {
        let now = self.time.now
        if let entry = self.values[key], now - entry.startedAt < self.maxAge { return entry.value }
        if let task = self.running[key] { return await task.value }
        // Unstructured: a caller that gives up does not cancel the probes others wait for.
        let task = Task { await compute() }
        self.running[key] = task
        let value = await task.value
        self.running[key] = nil
        self.values[key] = (value, now)
        return value
    }
}
