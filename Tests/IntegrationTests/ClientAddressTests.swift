import Crypto
import Foundation
import Testing

extension ShopStackSuite {
    /// Client addresses (`TRUSTED_PROXIES`, `X-Client-Address` vouched for by the gateway's token)
    /// and the rate limits keyed on them. The stack's gateway trusts 127.0.0.1, so the suite acts
    /// as a proxy in front of it: each test picks client addresses of its own with
    /// `X-Forwarded-For`. Untrusted peers are other loopback addresses (127.x.y.z) the test sends from.
    @Suite("Client addresses and rate limits before authentication")
    struct ClientAddressTests {
        private static let loginPath = "/v1/auth/login"

        private static func wrongLogin() throws -> String {
            try canonicalJSON(["email": Session.newEmail(), "password": "wrong-\(UUID().uuidString)"])
        }

        /// The log lines of `process` that contain every one of `needles`.
        private static func logLines(of process: ServiceProcess, containing needles: [String]) -> [String] {
            process.logLines().filter { line in needles.allSatisfy { line.contains($0) } }
        }

        @Test("Behind a trusted proxy two forwarded clients have separate buckets, and the access log names each")
        func forwardedClientsHaveSeparateBuckets() async throws {
            let stack = try Stack.require()
            try await ExtraGateway.with(stack, label: "trusted-buckets", settings: ["RATE_LIMITS": "anonymous=0.01/2"]) { gateway in
                let first = TestClientAddress.ipv4()
                let second = TestClientAddress.ipv6()
                var statuses: [Int] = []
                for _ in 0..<3 {
                    let response = try await stack.http.send(.GET, gateway.url("/v1/products?limit=1"), headers: [("X-Forwarded-For", first)])
                    statuses.append(response.status)
                }
                #expect(statuses == [200, 200, 429], "a burst of 2, then refused, for \(first): \(statuses)")
                let other = try await stack.http.send(.GET, gateway.url("/v1/products?limit=1"), headers: [("X-Forwarded-For", second)])
                #expect(other.status == 200, "\(second) has a bucket of its own: \(other.status) \(other.text.prefix(200))")
                #expect(other.header("RateLimit-Remaining") == "1", "\(second)'s bucket is fresh: \(other.headers)")
                let logged = Self.logLines(of: gateway.process, containing: ["request completed", "\"client.address\":\"\(second)\""])
                #expect(!logged.isEmpty, "the access log names the forwarded client \(second):\n\(gateway.process.logTail())")
            }
        }

        @Test("Without a trusted proxy a client's own X-Forwarded-For gains nothing: its socket address is its bucket")
        func untrustedForwardedForGainsNothing() async throws {
            let stack = try Stack.require()
            let settings: [String: String?] = ["RATE_LIMITS": "anonymous=0.01/2", "TRUSTED_PROXIES": nil]
            try await ExtraGateway.with(stack, label: "untrusted", settings: settings) { gateway in
                let peer = TestClientAddress.loopback()
                var statuses: [Int] = []
                for _ in 0..<4 {
                    // A new made-up client each time: right-most, left-most, both.
                    let forged = "\(TestClientAddress.ipv4()), \(TestClientAddress.ipv4())"
                    let response = try RawHTTP.send(
                        port: gateway.port,
                        target: "/v1/products?limit=1",
                        headers: [("X-Forwarded-For", forged), ("X-Client-Address", TestClientAddress.ipv4())],
                        source: peer
                    )
                    statuses.append(response.status)
                }
                #expect(statuses == [200, 200, 429, 429], "one bucket for \(peer) whatever it forwards: \(statuses)")
                let logged = Self.logLines(of: gateway.process, containing: ["request completed", "\"client.address\":\"\(peer)\""])
                #expect(logged.count >= 4, "the access log names the socket peer \(peer), not a forwarded address:\n\(gateway.process.logTail())")
            }
        }

        @Test("Straight to auth, a forged X-Client-Address (with X-Forwarded-For and a non-gateway token) is not believed")
        func forgedClientAddressStraightToAuthIsNotBelieved() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let url = try stack.port("auth")
            let peer = TestClientAddress.loopback()
            // A real token of another service for auth, the gateway's real token for another
            // service, and one that claims to be the gateway's but is signed by the attacker.
            let userToken = try await ServiceToken.obtain(stack, as: "user", for: "auth")
            let gatewayTokenForUser = try await ServiceToken.obtain(stack, as: "api-gateway", for: "user")
            let kid = try JWT.kid(of: userToken)
            let forgedGateway = try JWT.es256(
                header: JWT.es256Header(kid: kid),
                claims: JWT.validClaims(subject: "api-gateway", roles: []),
                key: P256.Signing.PrivateKey()
            )

            func login(_ body: String, claiming address: String, token: String) throws -> HTTPResult {
                try RawHTTP.send(
                    port: url,
                    method: "POST",
                    target: Self.loginPath,
                    headers: [
                        ("Content-Type", "application/json"), ("X-Client-Address", address), ("X-Forwarded-For", address),
                        ("X-Gateway-Token", token),
                    ],
                    body: Data(body.utf8),
                    source: peer
                )
            }

            // Failures, each claiming another client, until auth's per-client throttle refuses.
            var refused: HTTPResult?
            for attempt in 1...60 {
                let token = [userToken, gatewayTokenForUser, forgedGateway][attempt % 3]
                let failed = try login(try Self.wrongLogin(), claiming: TestClientAddress.ipv4(), token: token)
                if failed.status == 429 {
                    refused = failed
                    break
                }
                #expect(failed.status == 401, "failure \(attempt) is a plain 401: \(failed.status) \(failed.text.prefix(200))")
            }
            #expect(refused != nil, "failures claiming ever new addresses all count against the socket peer \(peer)")
            // The right password, claiming yet another client: still the same peer, still refused.
            let right = try login(
                try canonicalJSON(["email": session.email, "password": session.password]),
                claiming: TestClientAddress.ipv4(),
                token: gatewayTokenForUser
            )
            expectProblem(right, status: 429, path: Self.loginPath)
            #expect(!right.text.contains("accessToken"), "no tokens for the throttled peer: \(right.text.prefix(200))")
            let logged = Self.logLines(of: try stack.process("auth"), containing: ["request completed", "\"client.address\":\"\(peer)\""])
            #expect(!logged.isEmpty, "auth's access log names the socket peer \(peer)")
        }

        @Test("POST /v1/auth/login spelled with a trailing slash, other case or doubled slashes counts in the auth class")
        func credentialRouteSpellingsCountAsAuth() async throws {
            let stack = try Stack.require()
            let settings: [String: String?] = ["RATE_LIMITS": "auth=0.01/1,anonymous=1000/2000"]
            try await ExtraGateway.with(stack, label: "route-classes", settings: settings) { gateway in
                for spelling in ["/v1/auth/login/", "/V1/AUTH/LOGIN", "/v1/Auth/Login/", "/v1//auth/login", "/v1/auth//login", "/v1/auth/login//"] {
                    let client = TestClientAddress.ipv4()
                    let headers = [("Content-Type", "application/json"), ("X-Forwarded-For", client)]
                    let first = try RawHTTP.send(
                        port: gateway.port,
                        method: "POST",
                        target: spelling,
                        headers: headers,
                        body: Data(try Self.wrongLogin().utf8)
                    )
                    #expect(first.status != 429, "\(spelling): the first attempt of \(client) is let through: \(first.text.prefix(200))")
                    let second = try RawHTTP.send(
                        port: gateway.port,
                        method: "POST",
                        target: Self.loginPath,
                        headers: headers,
                        body: Data(try Self.wrongLogin().utf8)
                    )
                    #expect(second.status == 429, "\(spelling) took the auth bucket's one token, so \(Self.loginPath) is refused: \(second.status)")
                    #expect(second.header("RateLimit-Limit") == "1", "the auth class answers: \(second.headers)")
                }
            }
        }

        @Test("Garbage and forged bearer tokens are rate limited per address before they are verified")
        func forgedTokensAreRateLimited() async throws {
            let stack = try Stack.require()
            let settings: [String: String?] = ["RATE_LIMITS": "address=0.01/3,anonymous=1000/2000,user=1000/2000"]
            try await ExtraGateway.with(stack, label: "forged-tokens", settings: settings) { gateway in
                let client = TestClientAddress.ipv6()
                let kid = try JWT.kid(of: try await ServiceToken.obtain(stack, as: "order", for: "product"))
                let forged = try JWT.es256(
                    header: JWT.es256Header(kid: kid),
                    claims: JWT.validClaims(subject: UUID().uuidString.lowercased()),
                    key: P256.Signing.PrivateKey()
                )
                var statuses: [Int] = []
                var refused: HTTPResult?
                for token in ["garbage", forged, "a.b.c", forged, "garbage"] {
                    let response = try await stack.http.send(
                        .GET,
                        gateway.url("/v1/orders"),
                        headers: [bearer(token), ("X-Forwarded-For", client)]
                    )
                    statuses.append(response.status)
                    if response.status == 429, refused == nil { refused = response }
                }
                #expect(statuses == [401, 401, 401, 429, 429], "three tries, then refused before verification: \(statuses)")
                let limited = try #require(refused)
                expectProblem(limited, status: 429, path: "/v1/orders")
                #expect(limited.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true, "\(limited.headers)")
                // Another address is not affected.
                let other = try await stack.http.send(
                    .GET,
                    gateway.url("/v1/orders"),
                    headers: [bearer("garbage"), ("X-Forwarded-For", TestClientAddress.ipv4())]
                )
                #expect(other.status == 401, "\(other.status)")
            }
        }

        @Test("GET /v1/status is rate limited like any route")
        func statusIsRateLimited() async throws {
            let stack = try Stack.require()
            try await ExtraGateway.with(stack, label: "status-limit", settings: ["RATE_LIMITS": "anonymous=0.01/2"]) { gateway in
                let client = TestClientAddress.ipv4()
                var statuses: [Int] = []
                for _ in 0..<3 {
                    statuses.append(try await stack.http.send(.GET, gateway.url("/v1/status"), headers: [("X-Forwarded-For", client)]).status)
                }
                #expect(statuses == [200, 200, 429], "\(statuses)")
            }
        }

        /// Readiness probes product's main instance has answered so far, from its own `/metrics`.
        private static func readinessProbes(_ stack: Stack) async throws -> Int {
            let metrics = try await stack.http.send(.GET, try stack.url("/metrics", on: "product"))
            return metrics.text.split(separator: "\n")
                .filter { $0.hasPrefix("http_requests_total{") && $0.contains("route=\"/health/ready\"") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0) { $0 + Int($1) }
        }

        @Test("GET /v1/status answers from a cache of at most 2 s: a burst probes each instance about once per 2 s")
        func statusIsCached() async throws {
            let stack = try Stack.require()
            let before = try await Self.readinessProbes(stack)
            let started = ContinuousClock.now
            for _ in 0..<12 {
                let status = try await stack.http.send(.GET, stack.url("/v1/status"))
                #expect(status.status == 200, "\(status.text.prefix(200))")
            }
            let elapsed = ContinuousClock.now - started
            let probes = try await Self.readinessProbes(stack) - before
            // One probe per started 2-s window of the burst, plus one for a window already open.
            let allowed = Int(elapsed / .seconds(2)) + 2
            #expect(probes <= allowed, "12 status calls in \(elapsed) probed product \(probes) times (at most \(allowed))")
            // Not cached for good: a later call probes again.
            var fresh = false
            for _ in 0..<40 where !fresh {
                try await Task.sleep(for: .milliseconds(250))
                _ = try await stack.http.send(.GET, stack.url("/v1/status"))
                fresh = try await Self.readinessProbes(stack) > before + probes
            }
            #expect(fresh, "a status call more than 2 s later probes the instances again")
        }
    }
}
