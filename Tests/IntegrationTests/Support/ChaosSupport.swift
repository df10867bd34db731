import Foundation
import PostgresNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Settings

/// The chaos suite's size, from the environment (`make chaos` sets a large one; `make test` runs the defaults).
struct ChaosSettings: Sendable, CustomStringConvertible {
    /// CHAOS_ORDERS: at least this many orders are accepted.
    let orders: Int
    /// CHAOS_KILLS: this many SIGKILLs of product, payment, order and notification instances.
    let kills: Int
    /// CHAOS_CONCURRENCY: how many customers place orders at once.
    let concurrency: Int
    /// CHAOS_DURATION_SECONDS: the bound on the load phase (kills included).
    let durationSeconds: Int

    var duration: Duration { .seconds(durationSeconds) }

    var description: String {
        "CHAOS_ORDERS=\(orders) CHAOS_KILLS=\(kills) CHAOS_CONCURRENCY=\(concurrency) CHAOS_DURATION_SECONDS=\(durationSeconds)"
    }

    static func fromEnvironment() throws -> Self {
        Self(
            orders: try integer("CHAOS_ORDERS", default: 30, range: 1...100_000),
            kills: try integer("CHAOS_KILLS", default: 5, range: 0...10_000),
            concurrency: try integer("CHAOS_CONCURRENCY", default: 6, range: 1...256),
            durationSeconds: try integer("CHAOS_DURATION_SECONDS", default: 120, range: 1...86_400)
        )
    }

    private static func integer(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = ProcessInfo.processInfo.environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return value
        }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw HarnessError("\(key)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }
}

// MARK: Customers

/// A customer of the chaos load: a session that logs in again when its access token expires (a long run outlives
/// the 15 minutes), and the payment method it pays with.
final class ChaosCustomer: Sendable {
    let card: TestCard
    let methodId: String
    private let current: Mutex<Session>

    init(session: Session, card: TestCard, methodId: String) {
        self.card = card
        self.methodId = methodId
        self.current = Mutex(session)
    }

    var session: Session { current.withLock { $0 } }

    var id: String { session.id }

    /// Logs in again and keeps the new tokens.
    func renew(_ stack: Stack) async throws {
        let old = session
        let tokens = try await Session.login(stack, email: old.email, password: old.password)
        let renewed = Session(id: old.id, email: old.email, password: old.password, name: old.name, tokens: tokens)
        current.withLock { $0 = renewed }
    }

    /// `request` as this customer; once more after a fresh login when it answers 401.
    func send(_ stack: Stack, _ request: (Session) async throws -> HTTPResult) async throws -> HTTPResult {
        let response = try await request(session)
        guard response.status == 401 else { return response }
        try await renew(stack)
        return try await request(session)
    }
}

// MARK: Instances

/// One instance the chaos may kill: a member of the stack (brought back through `Stack.restore`) or an extra one the
/// chaos suite started on a port of its own.
final class ChaosInstance: Sendable {
    /// The services whose instances are killed.
    static let targetNames = ["product", "payment", "order", "notification"]

    let name: String
    let port: Int
    let process: ServiceProcess
    let isExtra: Bool

    /// `order` or `order-extra`, with the port: `order-extra:41234`.
    var label: String { "\(name)\(isExtra ? "-extra" : ""):\(port)" }

    private init(name: String, port: Int, process: ServiceProcess, isExtra: Bool) {
        self.name = name
        self.port = port
        self.process = process
        self.isExtra = isExtra
    }

    /// The stack's own instance of `name`.
    static func original(_ stack: Stack, _ name: String) throws -> ChaosInstance {
        ChaosInstance(name: name, port: try stack.port(name), process: try stack.process(name), isExtra: false)
    }

    /// A second instance of `name` on `port` with the stack's configuration, its log in the stack's log folder
    /// (prepared, not started).
    static func extra(_ stack: Stack, _ name: String, port: Int) throws -> ChaosInstance {
        let process = try ServiceProcess(
            name: name,
            environment: try stack.environment(for: name, port: port),
            logFile: stack.logDirectory.appendingPathComponent("\(name)-extra-\(port).log")
        )
        return ChaosInstance(name: name, port: port, process: process, isExtra: true)
    }

    /// SIGKILL; whether it is gone within 10 s.
    func kill() async -> Bool {
        process.terminate(signal: SIGKILL)
        return await process.waitForExit(timeout: .seconds(10)) != nil
    }

    /// Starts it again unless it runs and waits until it is ready; for a member of the stack also until the gateway
    /// reports every service up (`Stack.restore`).
    func revive(_ stack: Stack, timeout: Duration = .seconds(60)) async throws {
        guard isExtra else {
            try await stack.restore(name)
            return
        }
        if !process.isRunning {
            _ = await process.waitForExit(timeout: .seconds(5))
            try process.restart()
        }
        try await waitUntilReady(stack, timeout: timeout)
    }

    /// Polls `GET /health/ready` every 100 ms until it answers 200; throws when the process exits or after `timeout`.
    func waitUntilReady(_ stack: Stack, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            guard process.isRunning else {
                let status = await process.waitForExit(timeout: .milliseconds(100))
                throw HarnessError(
                    "\(label) exited (status \(status.map(String.init) ?? "?")) before it was ready; log \(process.logFile.path):\n"
                        + process.logTail()
                )
            }
            let ready = try? await stack.http.send(.GET, "http://127.0.0.1:\(port)/health/ready", timeout: .seconds(1))
            if ready?.status == 200 { return }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(label) was not ready within \(timeout); log \(process.logFile.path):\n\(process.logTail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls the Redis registry (`registry:<name>:instances`) every 200 ms until it lists `http://127.0.0.1:<port>`.
    func waitUntilRegistered(timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var seen: [String] = []
        while true {
            let reply = try? RedisControl.run("HVALS", "registry:\(name):instances")
            seen = (reply?.array ?? []).compactMap { value in
                guard let text = value.string, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    return nil
                }
                return object["url"] as? String
            }
            if seen.contains("http://127.0.0.1:\(port)") { return }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(label) is not in the Redis registry after \(timeout); registered: \(seen)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

// MARK: The ledger

/// An order the load placed (202), with what it asked for.
struct ChaosOrder: Sendable {
    let id: String
    let customer: ChaosCustomer
    let items: [OrderItem]
    /// Nil for an order found afterwards in its owner's list (its 202 never arrived).
    let idempotencyKey: String?
}

/// What the load and the chaos did, shared by their tasks.
final class ChaosLedger: Sendable {
    /// The counts and lists, read at the end.
    struct Tally: Sendable {
        /// Placements started and not given up (in flight or accepted).
        var claimed = 0
        var started = 0
        var accepted: [ChaosOrder] = []
        /// Placements given up after 30 attempts or at the end of the load phase.
        var abandoned: [String] = []
        /// Placements answered with something that is neither 202 nor worth retrying.
        var rejected = 0
        /// Attempts answered 409, 429, 502, 503, 504 or failed in transport, then retried.
        var retries = 0
        var kills = 0
        var restarts = 0
        var redisRestarts = 0
        var chaosDone = false
        var violations: [String] = []
    }

    /// The orders the load aims at; it goes on while the chaos lasts, up to `cap`.
    let target: Int
    let cap: Int
    /// After this many rejected placements the load stops: the API is broken, not flaky.
    let maximumRejected = 10
    private let state = Mutex(Tally())

    init(target: Int, cap: Int) {
        self.target = target
        self.cap = cap
    }

    var tally: Tally { state.withLock { $0 } }

    /// A sequence number for the next placement, or nil when the load is done: the target reached and the chaos
    /// over, the cap reached, `deadline` passed or too many placements rejected.
    func claim(before deadline: ContinuousClock.Instant) -> Int? {
        state.withLock { tally in
            guard ContinuousClock.now < deadline, tally.claimed < cap, tally.rejected < maximumRejected else { return nil }
            guard tally.claimed < target || !tally.chaosDone else { return nil }
            tally.claimed += 1
            tally.started += 1
            return tally.started - 1
        }
    }

    func accepted(_ order: ChaosOrder) {
        state.withLock { $0.accepted.append(order) }
    }

    /// A placement that ended without an order: its claim is freed for another.
    func abandoned(_ reason: String) {
        state.withLock { tally in
            tally.claimed -= 1
            tally.abandoned.append(reason)
        }
    }

    func rejected(_ reason: String) {
        state.withLock { tally in
            tally.claimed -= 1
            tally.rejected += 1
            tally.violations.append("placement: \(reason)")
        }
    }

    func retried() {
        state.withLock { $0.retries += 1 }
    }

    func killed() {
        state.withLock { $0.kills += 1 }
    }

    func restarted() {
        state.withLock { $0.restarts += 1 }
    }

    func redisRestarted() {
        state.withLock { $0.redisRestarts += 1 }
    }

    func chaosFinished() {
        state.withLock { $0.chaosDone = true }
    }

    var kills: Int { state.withLock { $0.kills } }

    func violation(_ text: String) {
        state.withLock { $0.violations.append(text) }
    }
}
