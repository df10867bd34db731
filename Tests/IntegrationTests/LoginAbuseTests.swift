import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ShopStackSuite {
    /// Login, registration and refresh abuse: one atomic Redis step counts and decides before the
    /// password is hashed, per (account, client address) with growing waits, under a per-account
    /// ceiling and per-address limits; throttle keys are hashes.
    ///
    /// Client addresses are chosen straight at auth as the gateway sends them (`X-Client-Address`
    /// beside the gateway's real token: `GatewayVouch`; random ones from the documentation
    /// ranges), so nothing here counts against 127.0.0.1, which the suite shares.
    /// Limits lower than the stack's are tested against an extra auth of their own (static
    /// discovery: the gateway never sends it anything).
    @Suite("Login abuse")
    struct LoginAbuseTests {
        private static let loginPath = "/v1/auth/login"

        /// A random address from the documentation range 2001:db8::/32, used by no other test (the
        /// IPv4 documentation ranges are the per-client throttle test's).
        private static func newAddress() -> String {
            let groups = (0..<4).map { _ in String(UInt16.random(in: 1...UInt16.max), radix: 16) }
            return "2001:db8:" + groups.joined(separator: ":") + "::1"
        }

        private static func login(
            _ stack: Stack,
            _ base: String,
            _ email: String,
            _ password: String,
            from address: String
        ) async throws -> HTTPResult {
            try await stack.http.send(
                .POST,
                base + Self.loginPath,
                json: try canonicalJSON(["email": email, "password": password]),
                headers: try await GatewayVouch.headers(stack, to: "auth", clientAddress: address)
            )
        }

        /// Starts an auth of its own with `settings` on top of the stack's; waits until it is ready.
        private static func startAuth(_ stack: Stack, _ settings: [String: String], label: String) async throws -> (ServiceProcess, String) {
            let port = try Ports.freePort()
            var environment = try stack.environment(for: "auth", port: port)
            environment["DISCOVERY_BACKEND"] = "static"
            environment.merge(settings) { $1 }
            let process = try ServiceProcess(
                name: "auth",
                environment: environment,
                logFile: stack.logDirectory.appendingPathComponent("auth-\(label)-\(port).log")
            )
            try process.start()
            let base = "http://127.0.0.1:\(port)"
            for _ in 0..<600 {
                guard process.isRunning else { throw HarnessError("auth (\(label)) exited:\n\(process.logTail())") }
                if let ready = try? await stack.http.send(.GET, base + "/health/ready", timeout: .seconds(1)), ready.status == 200 {
                    return (process, base)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            await process.stop()
            throw HarnessError("auth (\(label)) was not ready within 60 s:\n\(process.logTail())")
        }

        @Test("A 200 kB email to login is a 422 naming email, and leaves no key holding it in Redis")
        func anOversizeEmailNeverReachesRedis() async throws {
            let stack = try Stack.require()
            let marker = "big-\(UUID().uuidString.lowercased())"
            let email = marker + String(repeating: "a", count: 200_000) + "@example.com"
            let response = try await stack.http.send(
                .POST,
                stack.url(Self.loginPath),
                json: try canonicalJSON(["email": email, "password": "wrong-password"])
            )
            expectValidationProblem(response, path: Self.loginPath, fields: ["email"])
            #expect(!response.text.contains(marker), "the answer does not repeat the input")

            let holding = try RedisControl.run("KEYS", "*\(marker)*")
            #expect(holding.array?.isEmpty == true, "keys holding the email: \(String(describing: holding).prefix(300))")
            // Whatever the throttles keep has a short name: hashes, never raw input.
            let keys = try RedisControl.run("KEYS", "auth:*").array ?? []
            let long = keys.compactMap(\.string).filter { $0.utf8.count > 200 }
            #expect(long.isEmpty, "auth keys longer than 200 bytes: \(long.map { $0.prefix(80) })")
        }

        @Test("20 parallel wrong-password logins for one account from one address: at most 5 reach the password check")
        func parallelGuessesCannotAllPass() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let base = "http://127.0.0.1:\(try stack.port("auth"))"
            let address = Self.newAddress()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for attempt in 0..<20 {
                    group.addTask { try await Self.login(stack, base, session.email, "wrong-\(attempt)", from: address).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let checked = statuses.filter { $0 == 401 }.count
            #expect(checked >= 1 && checked <= 5, "401s (password checked): \(checked) of \(statuses.sorted())")
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses.sorted())")

            let right = try await Self.login(stack, base, session.email, session.password, from: address)
            expectProblem(right, status: 429, path: Self.loginPath)
            #expect(right.header("Retry-After").flatMap { Int($0) }.map { $0 >= 1 } == true, "Retry-After: \(right.header("Retry-After") ?? "none")")
        }

        @Test("Failures from one address do not lock the owner out: the owner's address still logs in")
        func theOwnerIsNotLockedOut() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let base = "http://127.0.0.1:\(try stack.port("auth"))"
            let attacker = Self.newAddress()
            let owner = Self.newAddress()

            for attempt in 1...5 {
                let failed = try await Self.login(stack, base, session.email, "wrong-\(attempt)", from: attacker)
                #expect(failed.status == 401, "failure \(attempt): \(failed.text.prefix(300))")
            }
            let attackerAgain = try await Self.login(stack, base, session.email, session.password, from: attacker)
            expectProblem(attackerAgain, status: 429, path: Self.loginPath)

            let owners = try await Self.login(stack, base, session.email, session.password, from: owner)
            #expect(owners.status == 200, "the owner, from another address, logs in: \(owners.text.prefix(300))")
            #expect((try? owners.jsonObject())?["accessToken"] is String)
        }

        @Test("A per-account ceiling stops guessing spread over many addresses; the owner's known address still logs in")
        func theAccountCeilingStopsDistributedGuessing() async throws {
            let stack = try Stack.require()
            let ceiling = 12
            let (auth, base) = try await Self.startAuth(stack, ["AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT": String(ceiling)], label: "ceiling")
            defer { auth.terminate(signal: SIGKILL) }
            let session = try await Session.register(stack, waitForProfile: false)
            let owner = Self.newAddress()
            let first = try await Self.login(stack, base, session.email, session.password, from: owner)
            #expect(first.status == 200, "the owner logs in once: \(first.text.prefix(300))")

            for guess in 1...ceiling {
                let failed = try await Self.login(stack, base, session.email, "guess-\(guess)", from: Self.newAddress())
                #expect(failed.status == 401, "guess \(guess), from its own address: \(failed.text.prefix(300))")
            }
            let stopped = try await Self.login(stack, base, session.email, session.password, from: Self.newAddress())
            expectProblem(stopped, status: 429, path: Self.loginPath)
            #expect(!stopped.text.contains("accessToken"))

            let owners = try await Self.login(stack, base, session.email, session.password, from: owner)
            #expect(owners.status == 200, "the address that logged in before is exempt: \(owners.text.prefix(300))")
        }

        @Test("Registrations and failed refreshes are limited per client address")
        func registrationAndRefreshAreLimited() async throws {
            let stack = try Stack.require()
            let settings = ["AUTH_REGISTER_MAX_PER_CLIENT": "3", "AUTH_REFRESH_MAX_FAILURES_PER_CLIENT": "4"]
            let (auth, base) = try await Self.startAuth(stack, settings, label: "limits")
            defer { auth.terminate(signal: SIGKILL) }
            let address = Self.newAddress()
            let other = Self.newAddress()

            func register(from client: String) async throws -> HTTPResult {
                try await stack.http.send(
                    .POST,
                    base + "/v1/auth/register",
                    json: try canonicalJSON(["email": Session.newEmail(), "password": Session.newPassword(), "name": "Limited"]),
                    headers: try await GatewayVouch.headers(stack, to: "auth", clientAddress: client)
                )
            }
            for attempt in 1...3 {
                let created = try await register(from: address)
                #expect(created.status == 201, "registration \(attempt): \(created.text.prefix(300))")
            }
            let refused = try await register(from: address)
            expectProblem(refused, status: 429, path: "/v1/auth/register")
            #expect(refused.header("Retry-After") != nil)
            #expect(try await register(from: other).status == 201, "another address registers")

            func refresh(_ token: String, from client: String) async throws -> HTTPResult {
                try await stack.http.send(
                    .POST,
                    base + "/v1/auth/refresh",
                    json: try canonicalJSON(["refreshToken": token]),
                    headers: try await GatewayVouch.headers(stack, to: "auth", clientAddress: client)
                )
            }
            let session = try await Session.register(stack, waitForProfile: false)
            for attempt in 1...4 {
                let failed = try await refresh("not-a-token-\(attempt)", from: address)
                #expect(failed.status == 401, "failed refresh \(attempt): \(failed.text.prefix(300))")
            }
            let blocked = try await refresh(session.refreshToken, from: address)
            expectProblem(blocked, status: 429, path: "/v1/auth/refresh")
            let fromOther = try await refresh(session.refreshToken, from: other)
            #expect(fromOther.status == 200, "the same token from another address: \(fromOther.text.prefix(300))")
            var token = try #require(try fromOther.jsonObject()["refreshToken"] as? String)
            for round in 1...6 {
                let next = try await refresh(token, from: other)
                #expect(next.status == 200, "successful refresh \(round) does not count: \(next.text.prefix(300))")
                token = try #require(try next.jsonObject()["refreshToken"] as? String)
            }
        }
    }
}
