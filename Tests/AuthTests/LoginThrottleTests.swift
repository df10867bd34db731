import Foundation
import ServiceKit
import Testing

@testable import AuthService

/// ``LoginThrottle`` against a real Redis, with a clock the tests move.
struct LoginThrottleTests {
    /// Small, distinguishable limits: a refusal's `Retry-After` tells which limit refused.
    static let settings = LoginThrottleSettings(
        failuresBeforeDelay: 3,
        firstDelay: .seconds(10),
        maximumDelay: .seconds(80),
        window: .seconds(900),
        perAccount: 8,
        accountWindow: .seconds(3600),
        perClient: 12,
        knownClientFor: .seconds(86_400)
    )

    private func withThrottle<Value: Sendable>(
        _ settings: LoginThrottleSettings = Self.settings,
        _ body: (LoginThrottle, ManualWallClock) async throws -> Value
    ) async throws -> Value {
        let clock = ManualWallClock()
        return try await TestRedis.withClient { redis in
            try await body(LoginThrottle(redis: redis, settings: settings, now: clock.read), clock)
        }
    }

    @Test("Parallel guesses: exactly the free attempts reach the password check, the others get 429 at once")
    func parallelGuessesCannotAllPass() async throws {
        try await self.withThrottle { throttle, _ in
            let account = TestRedis.newAccount()
            let client = TestRedis.newClient()
            let outcomes = try await withThrowingTaskGroup(of: Admission.self) { group in
                for _ in 0..<20 { group.addTask { try await throttle.admission(account, from: client) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let admitted = outcomes.filter { $0.attempt != nil }.count
            #expect(admitted == Self.settings.failuresBeforeDelay, "admitted \(admitted) of 20")
            #expect(outcomes.compactMap(\.retryAfterSeconds).allSatisfy { $0 == 10 }, "\(outcomes.compactMap(\.retryAfterSeconds))")
        }
    }

    @Test("Failures from one address delay that address exponentially, up to the maximum")
    func failuresDelayExponentially() async throws {
        try await self.withThrottle { throttle, clock in
            let account = TestRedis.newAccount()
            let client = TestRedis.newClient()
            for _ in 0..<3 { #expect(try await throttle.admission(account, from: client).attempt != nil) }
            var waits: [Int] = []
            for _ in 0..<5 {
                let refused = try #require(try await throttle.admission(account, from: client).retryAfterSeconds)
                waits.append(refused)
                clock.advance(by: .seconds(refused - 1))
                #expect(try await throttle.admission(account, from: client).retryAfterSeconds == 1, "still waiting 1 s before the end")
                clock.advance(by: .seconds(1))
                #expect(try await throttle.admission(account, from: client).attempt != nil, "admitted once the wait is over")
            }
            #expect(waits == [10, 20, 40, 80, 80])
        }
    }

    @Test("Someone failing from another address does not lock the owner out")
    func theOwnerIsNotLockedOutByAnAttacker() async throws {
        try await self.withThrottle { throttle, _ in
            let account = TestRedis.newAccount()
            let attacker = TestRedis.newClient()
            let owner = TestRedis.newClient()
            for _ in 0..<3 { _ = try await throttle.admission(account, from: attacker) }
            #expect(try await throttle.admission(account, from: attacker).retryAfterSeconds != nil, "the attacker waits")
            let attempt = try #require(try await throttle.admission(account, from: owner).attempt, "the owner is let through")
            await throttle.succeeded(attempt, logger: TestRedis.logger)
            #expect(try await throttle.admission(account, from: attacker).retryAfterSeconds != nil, "the owner's login frees no one else")
        }
    }

    @Test("The per-account ceiling stops guessing spread over many addresses; an address that logged in before still gets in")
    func theAccountCeilingStopsDistributedGuessing() async throws {
        try await self.withThrottle { throttle, _ in
            let account = TestRedis.newAccount()
            let owner = TestRedis.newClient()
            let known = try #require(try await throttle.admission(account, from: owner).attempt)
            await throttle.succeeded(known, logger: TestRedis.logger)

            for guess in 0..<Self.settings.perAccount {
                #expect(try await throttle.admission(account, from: TestRedis.newClient()).attempt != nil, "guess \(guess) from a new address")
            }
            let refused = try #require(try await throttle.admission(account, from: TestRedis.newClient()).retryAfterSeconds)
            #expect(refused > 900 && refused <= 3600, "the account's window says when: \(refused)")
            #expect(try await throttle.admission(account, from: TestRedis.newClient()).retryAfterSeconds != nil)

            let owners = try #require(try await throttle.admission(account, from: owner).attempt, "the owner's known address is exempt")
            await throttle.succeeded(owners, logger: TestRedis.logger)
        }
    }

    @Test("The per-client ceiling stops one address guessing across many accounts")
    func theClientCeilingStopsOneAddress() async throws {
        try await self.withThrottle { throttle, _ in
            let client = TestRedis.newClient()
            for guess in 0..<Self.settings.perClient {
                #expect(try await throttle.admission(TestRedis.newAccount(), from: client).attempt != nil, "guess \(guess)")
            }
            let refused = try #require(try await throttle.admission(TestRedis.newAccount(), from: client).retryAfterSeconds)
            #expect(refused > 80 && refused <= 900, "the client's window says when: \(refused)")
            #expect(
                try await throttle.admission(TestRedis.newAccount(), from: TestRedis.newClient()).attempt != nil,
                "other addresses are unaffected"
            )
        }
    }

    @Test("A successful login is not a failure: its address can keep logging in, and its pair starts over")
    func successesAreRefunded() async throws {
        try await self.withThrottle { throttle, _ in
            let client = TestRedis.newClient()
            let account = TestRedis.newAccount()
            for _ in 0..<2 { _ = try await throttle.admission(account, from: client) }
            for round in 0..<(Self.settings.perClient + 5) {
                let attempt = try #require(try await throttle.admission(account, from: client).attempt, "login \(round)")
                await throttle.succeeded(attempt, logger: TestRedis.logger)
            }
            for _ in 0..<2 { #expect(try await throttle.admission(account, from: client).attempt != nil) }
        }
    }

    @Test("An attempt abandoned by an error does not count")
    func abandonedAttemptsAreRefunded() async throws {
        try await self.withThrottle { throttle, _ in
            let client = TestRedis.newClient()
            let account = TestRedis.newAccount()
            for round in 0..<(Self.settings.perClient + 5) {
                let attempt = try #require(try await throttle.admission(account, from: client).attempt, "attempt \(round)")
                await throttle.abandoned(attempt, logger: TestRedis.logger)
            }
        }
    }

    @Test("Keys are hashes: a 200 kB email leaves no large key and no trace of itself")
    func keysAreHashes() async throws {
        try await self.withThrottle { throttle, _ in
            let marker = UUID().uuidString.lowercased()
            let account = marker + String(repeating: "a", count: 200_000) + "@example.com"
            let client = TestRedis.newClient()
            _ = try await throttle.admission(account, from: client)
            let keys = LoginThrottle.Keys(account: account, client: client)
            for key in [keys.pair, keys.account, keys.client, keys.known] {
                #expect(key.utf8.count < 160, "\(key.prefix(200))")
                #expect(!key.contains(marker))
            }
            let usage = try await throttle.redis.send("MEMORY", "USAGE", RedisArgument(keys.pair)).int ?? 0
            #expect(usage > 0 && usage < 1_000, "the pair key holds \(usage) bytes")
            let found = try await throttle.redis.send("SCAN", "0", "MATCH", RedisArgument("*\(marker)*"), "COUNT", "100000")
            #expect(found.array?.last?.array?.isEmpty == true, "no key holds the email: \(found)")
        }
    }

    @Test("Without Redis, logins are let through (and logged), not refused for everyone")
    func unreachableRedisLetsLoginsThrough() async throws {
        let nothingListening: (inout RedisConfiguration) -> Void = { configuration in
            configuration.host = "127.0.0.1"
            configuration.port = 1
            configuration.connectTimeout = .milliseconds(200)
        }
        try await TestRedis.withClient(nothingListening) { redis in
            let throttle = LoginThrottle(redis: redis, settings: Self.settings)
            for _ in 0..<(Self.settings.failuresBeforeDelay + 2) {
                let attempt = try #require(try await throttle.admission(TestRedis.newAccount(), from: "192.0.2.1").attempt)
                #expect(attempt.keys == nil)
                await throttle.succeeded(attempt, logger: TestRedis.logger)
            }
        }
    }

    @Test("Settings: defaults, and a maximum delay shorter than the first is refused")
    func settings() throws {
        let defaults = try LoginThrottleSettings(settings: SettingsReader(environment: [:]))
        #expect(defaults == LoginThrottleSettings())
        #expect(defaults.failuresBeforeDelay == 5 && defaults.perAccount == 100 && defaults.perClient == 20)
        let custom = try LoginThrottleSettings(
            settings: SettingsReader(environment: ["AUTH_LOGIN_FAILURES_BEFORE_DELAY": "4", "AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT": "50"])
        )
        #expect(custom.failuresBeforeDelay == 4 && custom.perAccount == 50)
        #expect(throws: ConfigurationError.self) {
            try LoginThrottleSettings(
                settings: SettingsReader(environment: ["AUTH_LOGIN_DELAY_SECONDS": "60", "AUTH_LOGIN_MAX_DELAY_SECONDS": "30"])
            )
        }
    }
}
