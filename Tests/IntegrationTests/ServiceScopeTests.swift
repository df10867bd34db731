import Foundation
import Testing

extension ShopStackSuite {
    /// Least privilege between services: every client's token names its caller, one callee and
    /// only the scopes the grant table gives that pair; every internal route answers exactly the
    /// callers the matrix allows. The matrix is rendered here and must appear, line for line, in
    /// `docs/security.md`.
    @Suite("Service scopes")
    struct ServiceScopeTests {
        /// One internal route and the scope it requires.
        struct InternalRoute: Sendable, CustomStringConvertible {
            let service: String
            let method: RequestMethod
            let pattern: String
            let scope: String

            var description: String { "\(method.rawValue) \(pattern)" }

            /// The route with fresh ids; nothing it names exists, so an allowed call changes nothing.
            var samplePath: String {
                let id = UUID().uuidString.lowercased()
                return pattern.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(of: "{orderId}", with: id)
            }
        }

        /// Every internal route but auth's token endpoint (which takes client credentials).
        static let routes: [InternalRoute] = [
            .init(service: "auth", method: .GET, pattern: "/internal/accounts/{id}", scope: "accounts.read"),
            .init(service: "user", method: .POST, pattern: "/internal/profiles", scope: "profiles.create"),
            .init(service: "product", method: .POST, pattern: "/internal/products/lookup", scope: "products.lookup"),
            .init(service: "product", method: .POST, pattern: "/internal/reservations", scope: "reservations.write"),
            .init(service: "product", method: .POST, pattern: "/internal/reservations/{orderId}/commit", scope: "reservations.write"),
            .init(service: "product", method: .POST, pattern: "/internal/reservations/{orderId}/release", scope: "reservations.write"),
            .init(service: "payment", method: .POST, pattern: "/internal/payments/authorize", scope: "payments.authorize"),
            .init(service: "payment", method: .POST, pattern: "/internal/payments/{orderId}/capture", scope: "payments.capture"),
            .init(service: "payment", method: .POST, pattern: "/internal/payments/{orderId}/cancel", scope: "payments.cancel"),
            .init(service: "payment", method: .GET, pattern: "/internal/payment-methods/{id}", scope: "payment-methods.read"),
        ]

        /// The grant table auth must hold: caller → callee → scopes.
        static let grants: [String: [String: Set<String>]] = [
            "user": ["auth": ["accounts.read"]],
            "order": [
                "product": ["products.lookup", "reservations.write"],
                "payment": ["payments.authorize", "payments.capture", "payments.cancel", "payment-methods.read"],
            ],
            "api-gateway": Dictionary(uniqueKeysWithValues: Stack.serviceNames.map { ($0, ["client-address.assert"]) }),
        ]

        /// The seven clients, in the matrix's column order.
        static let callers = [Stack.gatewayName] + Stack.serviceNames

        /// What `caller` meets at `route`: `allowed`, `403` (its token for that service lacks the
        /// scope) or `—` (auth gives it no token for that service; one for another is 401 there).
        static func cell(_ route: InternalRoute, _ caller: String) -> String {
            guard let scopes = grants[caller]?[route.service] else { return "—" }
            return scopes.contains(route.scope) ? "allowed" : "403"
        }

        /// The matrix as the Markdown table rows `docs/security.md` shows.
        static var markdownRows: [String] {
            let header = "| route (service) | scope | " + callers.map { "`\($0)`" }.joined(separator: " | ") + " |"
            let rule = "|" + String(repeating: " --- |", count: callers.count + 2)
            let rows = routes.map { route in
                "| `\(route)` (\(route.service)) | `\(route.scope)` | " + callers.map { cell(route, $0) }.joined(separator: " | ") + " |"
            }
            return [header, rule] + rows
        }

        /// Every token auth issues to each client, by client and audience.
        private static func issuedTokens(_ stack: Stack) async throws -> [String: [String: String]] {
            var tokens: [String: [String: String]] = [:]
            for caller in callers {
                for audience in Stack.serviceNames where grants[caller]?[audience] != nil {
                    tokens[caller, default: [:]][audience] = try await ServiceToken.obtain(stack, as: caller, for: audience)
                }
            }
            return tokens
        }

        private static func call(_ stack: Stack, _ route: InternalRoute, token: String?) async throws -> HTTPResult {
            let url = try stack.url(route.samplePath, on: route.service)
            let headers = token.map { [bearer($0)] } ?? []
            switch route.method {
            case .GET: return try await stack.http.send(.GET, url, headers: headers)
            default: return try await stack.http.send(route.method, url, json: "{}", headers: headers)
            }
        }

        @Test("Auth gives each of the seven clients a token only for the services its grants name, with exactly those scopes")
        func tokensFollowTheGrantTable() async throws {
            let stack = try Stack.require()
            for caller in Self.callers {
                for audience in Stack.serviceNames {
                    let response = try await ServiceToken.request(stack, as: caller, for: audience)
                    guard let scopes = Self.grants[caller]?[audience] else {
                        expectProblem(response, status: 403, path: "/internal/token")
                        #expect(!response.text.contains("accessToken"), "\(caller) → \(audience): \(response.text.prefix(300))")
                        continue
                    }
                    #expect(response.status == 200, "\(caller) → \(audience): \(response.status) \(response.text.prefix(300))")
                    guard response.status == 200, let token = try response.jsonObject()["accessToken"] as? String else { continue }
                    let claims = try JWT.claims(of: token)
                    #expect(claims["sub"] as? String == caller)
                    let audiences = (claims["aud"] as? [String]) ?? [(claims["aud"] as? String) ?? ""]
                    #expect(audiences == [audience], "\(caller) → \(audience): aud \(audiences)")
                    let granted = Set(((claims["scope"] as? String) ?? "").split(separator: " ").map(String.init))
                    #expect(granted == scopes, "\(caller) → \(audience): scope \(granted)")
                    #expect((claims["roles"] as? [String])?.isEmpty ?? true, "a service token carries no role")
                }
            }
            // A token request that names no audience is refused.
            let basic = Data("order:\(Stack.serviceClientSecret(for: "order"))".utf8).base64EncodedString()
            let anonymous = try await stack.http.send(
                .POST,
                try stack.url("/internal/token", on: "auth"),
                json: #"{"grantType":"client_credentials"}"#,
                headers: [("Authorization", "Basic \(basic)")]
            )
            #expect(anonymous.status == 422, "\(anonymous.text.prefix(300))")
        }

        @Test("Every internal route answers exactly the callers the matrix allows; the others 403, or 401 with a token for another service")
        func everyRouteAnswersExactlyItsCallers() async throws {
            let stack = try Stack.require()
            let tokens = try await Self.issuedTokens(stack)
            let customer = try await Session.register(stack, waitForProfile: false)
            for route in Self.routes {
                for caller in Self.callers {
                    let cell = Self.cell(route, caller)
                    let what = "\(caller) at \(route) on \(route.service) (matrix: \(cell))"
                    if let token = tokens[caller]?[route.service] {
                        let response = try await Self.call(stack, route, token: token)
                        if cell == "allowed" {
                            #expect(
                                ![401, 403].contains(response.status) && response.status < 500,
                                "\(what): \(response.status) \(response.text.prefix(300))"
                            )
                        } else {
                            #expect(response.status == 403, "\(what): \(response.status) \(response.text.prefix(300))")
                        }
                    } else {
                        #expect(cell == "—", "\(what): auth gave no token")
                        // Whatever token the caller has, for another service, is no token here.
                        for (audience, token) in tokens[caller] ?? [:] {
                            let response = try await Self.call(stack, route, token: token)
                            #expect(
                                response.status == 401,
                                "\(what), with its token for \(audience): \(response.status) \(response.text.prefix(300))"
                            )
                        }
                    }
                }
                expectProblem(try await Self.call(stack, route, token: nil), status: 401, path: nil)
                expectProblem(try await Self.call(stack, route, token: customer.accessToken), status: 403, path: nil)
            }
        }

        @Test("A service token replayed at any other service is refused with 401")
        func aTokenIsGoodOnlyAtItsAudience() async throws {
            let stack = try Stack.require()
            let tokens = try await Self.issuedTokens(stack)
            for (caller, byAudience) in tokens {
                for (audience, token) in byAudience {
                    for route in Self.routes where route.service != audience {
                        let response = try await Self.call(stack, route, token: token)
                        expectProblem(response, status: 401, path: nil)
                        #expect(response.status == 401, "\(caller)'s token for \(audience) at \(route) on \(route.service)")
                    }
                    // Not at the gateway either: it is not a user's token.
                    let me = try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(token)])
                    #expect(me.status == 401, "\(caller)'s token for \(audience) at the gateway: \(me.status)")
                }
            }
        }

        @Test("The matrix covers every /internal route the seven executables register")
        func theMatrixCoversEveryInternalRoute() async throws {
            let stack = try Stack.require()
            var registered: Set<String> = []
            for name in Stack.allNames {
                for route in try await RouteListing.routes(of: name, in: stack)
                where route.path.hasPrefix("/internal/") && route.path != "/internal/token" {
                    registered.insert("\(name) \(route.method.uppercased()) \(route.path)")
                }
            }
            let listed = Set(Self.routes.map { "\($0.service) \($0.method.rawValue) \($0.pattern)" })
            let unlisted = registered.subtracting(listed).sorted()
            let gone = listed.subtracting(registered).sorted()
            #expect(registered == listed, "registered but not in the matrix: \(unlisted); in the matrix but not registered: \(gone)")
        }

        @Test("docs/security.md shows the matrix the suite checks")
        func theMatrixIsDocumented() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let document = try String(contentsOf: root.appendingPathComponent("docs/security.md"), encoding: .utf8)
            let lines = Set(document.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            for row in Self.markdownRows {
                #expect(lines.contains(row), "docs/security.md lacks the row:\n\(row)")
            }
        }
    }
}
