import Foundation
import GRPCCore
import InternalAPI
import Testing

extension ShopStackSuite {
    /// Roles, ownership, internal routes and login throttling.
    ///
    /// Failed logins through the gateway count against 127.0.0.1, which every test shares: this suite
    /// sends at most 8 of them (5 + the locked-out attempt in the per-account test, 2 in the comparison).
    /// The per-client limit is tested through the gateway, which trusts the suite (127.0.0.1) as a
    /// proxy, under random `X-Forwarded-For` addresses (ClientAddressTests: straight to auth, such
    /// headers count for nothing).
    @Suite("Authorization and throttling")
    struct AuthorizationTests {
        private static let loginPath = "/v1/auth/login"

        @Test("A customer gets 403 on GET /v1/users and POST /v1/auth/keys/rotate, and no key is added")
        func customerIsForbiddenOnAdminRoutes() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack)
            let kidsBefore = Set(try await PublishedKey.fetchAll(stack).compactMap(\.kid))

            for url in [stack.url("/v1/users"), try stack.url("/v1/users", on: "user")] {
                let list = try await stack.http.send(.GET, url, headers: [bearer(customer.accessToken)])
                expectProblem(list, status: 403, path: "/v1/users")
                #expect(!list.text.contains("\"items\""), "no list for a customer at \(url): \(list.text.prefix(300))")
            }

            let rotate = try await stack.http.send(.POST, stack.url("/v1/auth/keys/rotate"), headers: [bearer(customer.accessToken)])
            expectProblem(rotate, status: 403, path: "/v1/auth/keys/rotate")
            let kidsAfter = Set(try await PublishedKey.fetchAll(stack).compactMap(\.kid))
            #expect(kidsAfter == kidsBefore, "a refused rotation publishes no new key: \(kidsBefore.sorted()) -> \(kidsAfter.sorted())")
        }

        @Test("A customer reads their own profile by id, and another customer's answers 404")
        func otherCustomersProfileIsHidden() async throws {
            let stack = try Stack.require()
            let alice = try await Session.register(stack, name: "Alice")
            let bob = try await Session.register(stack, name: "Bob")

            let own = try await stack.http.send(.GET, stack.url("/v1/users/\(alice.id)"), headers: [bearer(alice.accessToken)])
            #expect(own.status == 200, "\(own.text)")
            let profile = try own.jsonObject()
            #expect(profile["id"] as? String == alice.id, "\(own.text)")
            #expect(profile["email"] as? String == alice.email, "\(own.text)")

            let path = "/v1/users/\(bob.id)"
            for url in [stack.url(path), try stack.url(path, on: "user")] {
                let other = try await stack.http.send(.GET, url, headers: [bearer(alice.accessToken)])
                expectProblem(other, status: 404, path: path)
                #expect(!other.text.contains(bob.email), "nothing of Bob's profile leaks at \(url): \(other.text)")
            }
        }

        @Test("The admin reads any profile by id and finds it in GET /v1/users")
        func adminReadsProfilesAndTheList() async throws {
            let stack = try Stack.require()
            let bob = try await Session.register(stack, name: "Bob")
            let admin = try await Session.admin(stack)

            let single = try await stack.http.send(.GET, stack.url("/v1/users/\(bob.id)"), headers: [bearer(admin.accessToken)])
            #expect(single.status == 200, "\(single.text)")
            let profile = try single.jsonObject()
            #expect(profile["id"] as? String == bob.id, "\(single.text)")
            #expect(profile["email"] as? String == bob.email, "\(single.text)")
            #expect(profile["name"] as? String == "Bob", "\(single.text)")

            // Page through the list (bounded) until Bob shows up.
            var cursor: String?
            var found: [String: Any]?
            var pages = 0
            while found == nil, pages < 50 {
                pages += 1
                let query = "?limit=100" + (cursor.map { "&cursor=\(queryEscaped($0))" } ?? "")
                let list = try await stack.http.send(.GET, stack.url("/v1/users\(query)"), headers: [bearer(admin.accessToken)])
                #expect(list.status == 200, "page \(pages): \(list.text.prefix(500))")
                let page = try list.jsonObject()
                let items = try #require(page["items"] as? [[String: Any]], "items is an array of profiles: \(list.text.prefix(500))")
                #expect(page.keys.contains("nextCursor"), "nextCursor is always present: \(list.text.prefix(500))")
                #expect(items.allSatisfy { $0["id"] is String && $0["email"] is String }, "every item is a profile: \(list.text.prefix(500))")
                found = items.first { $0["id"] as? String == bob.id }
                cursor = page["nextCursor"] as? String
                if cursor == nil { break }
            }
            #expect(found != nil, "Bob (\(bob.id)) is in GET /v1/users (\(pages) pages read)")
            #expect(found?["email"] as? String == bob.email)
        }

        @Test("/internal paths: 404 through the gateway; user's gRPC API UNAUTHENTICATED without a token and PERMISSION_DENIED with a customer's")
        func internalRoutes() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack)
            let body = try canonicalJSON([
                "id": UUID().uuidString.lowercased(),
                "accountId": UUID().uuidString.lowercased(),
                "email": Session.newEmail(),
                "name": "Intruder",
            ])

            let headerSets: [[(String, String)]] = [[], [bearer(customer.accessToken)]]
            for path in ["/internal/profiles", "/internal/token"] {
                for headers in headerSets {
                    let viaGateway = try await stack.http.send(.POST, stack.url(path), json: body, headers: headers)
                    expectProblem(viaGateway, status: 404, path: path)
                }
            }

            let create = Shop_User_V1_Profiles.Method.CreateProfile.descriptor
            let codes = try await InternalRPC.withClient(stack, "user") { client in
                [
                    await InternalRPC.status(of: create, on: client, metadata: InternalRPC.metadata(token: nil)),
                    await InternalRPC.status(of: create, on: client, metadata: InternalRPC.metadata(token: customer.accessToken)),
                ]
            }
            #expect(codes == [.unauthenticated, .permissionDenied])
        }

        @Test("IssueToken on auth is UNAUTHENTICATED without credentials and with a wrong client secret")
        func serviceTokenNeedsCredentials() async throws {
            let stack = try Stack.require()
            let anonymous = await #expect(throws: RPCError.self) {
                try await InternalRPC.withClient(stack, "auth") { client in
                    try await Shop_Auth_V1_ServiceTokens.Client(wrapping: client).issueToken(.with { $0.audience = "product" })
                }
            }
            #expect(anonymous?.code == .unauthenticated)

            let credentials = [("order", "wrong-secret"), ("user", ""), ("nobody-\(UUID().uuidString.lowercased())", "whatever")]
            for (client, secret) in credentials {
                let refused = await #expect(throws: RPCError.self, "no token for \(client)") {
                    try await InternalRPC.issueToken(stack, as: client, for: "product", secret: secret)
                }
                #expect(refused?.code == .unauthenticated, "\(client): \(String(describing: refused))")
            }
        }

        @Test(
            "Per account and address: after 5 wrong passwords the next login from that address answers 429 with Retry-After, even with the right password"
        )
        func perAccountThrottle() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let wrong = try canonicalJSON(["email": session.email, "password": "wrong-\(UUID().uuidString)"])
            for attempt in 1...5 {
                let failed = try await stack.http.send(.POST, stack.url(Self.loginPath), json: wrong)
                #expect(failed.status == 401, "failure \(attempt) is still a plain 401: \(failed.text.prefix(300))")
            }

            let right = try canonicalJSON(["email": session.email, "password": session.password])
            let locked = try await stack.http.send(.POST, stack.url(Self.loginPath), json: right)
            expectProblem(locked, status: 429, path: Self.loginPath)
            Self.expectRetryAfter(locked)
            #expect(!locked.text.contains("accessToken"), "no tokens while locked: \(locked.text)")
        }

        @Test("Per client behind a trusted proxy: after 20 failures from one forwarded address every login from it answers 429")
        func perClientThrottle() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let url = stack.url(Self.loginPath)
            let client = TestClientAddress.ipv4()
            let other = TestClientAddress.ipv6()

            func login(_ email: String, _ password: String, forwardedFor: String) async throws -> HTTPResult {
                try await stack.http.send(
                    .POST,
                    url,
                    json: try canonicalJSON(["email": email, "password": password]),
                    headers: [("X-Forwarded-For", forwardedFor)]
                )
            }

            for attempt in 1...20 {
                let failed = try await login(Session.newEmail(), "wrong-\(attempt)", forwardedFor: client)
                #expect(failed.status == 401, "failure \(attempt) from \(client) is still a plain 401: \(failed.text.prefix(300))")
            }
            let blocked = try await login(Session.newEmail(), "wrong-21", forwardedFor: client)
            expectProblem(blocked, status: 429, path: Self.loginPath)
            Self.expectRetryAfter(blocked)

            // Any account from that client, right password or not; behind the one trusted proxy, the
            // last X-Forwarded-For entry is the client (the gateway vouches for it to auth).
            let rightFromClient = try await login(session.email, session.password, forwardedFor: "\(other), \(client)")
            expectProblem(rightFromClient, status: 429, path: Self.loginPath)
            Self.expectRetryAfter(rightFromClient)

            // The same account from another client is let in.
            let rightFromOther = try await login(session.email, session.password, forwardedFor: "\(client), \(other)")
            #expect(rightFromOther.status == 200, "the limit is per client, not global: \(rightFromOther.text.prefix(300))")
        }

        @Test("A wrong email and a wrong password answer the same 401 problem")
        func loginFailuresLookAlike() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let unknownEmail = try await stack.http.send(
                .POST,
                stack.url(Self.loginPath),
                json: try canonicalJSON(["email": Session.newEmail(), "password": session.password])
            )
            let wrongPassword = try await stack.http.send(
                .POST,
                stack.url(Self.loginPath),
                json: try canonicalJSON(["email": session.email, "password": "wrong-\(UUID().uuidString)"])
            )
            expectProblem(unknownEmail, status: 401, path: Self.loginPath)
            expectProblem(wrongPassword, status: 401, path: Self.loginPath)
            #expect(unknownEmail.contentType == wrongPassword.contentType)
            #expect(unknownEmail.header("WWW-Authenticate") == wrongPassword.header("WWW-Authenticate"))

            let first = try Self.withoutRequestFields(unknownEmail)
            let second = try Self.withoutRequestFields(wrongPassword)
            #expect(first == second, "bodies differ:\n\(first)\n\(second)")
        }

        // MARK: Helpers

        /// The problem body as canonical JSON without `requestId` and `instance`.
        private static func withoutRequestFields(_ response: HTTPResult) throws -> String {
            var object = try response.jsonObject()
            object["requestId"] = nil
            object["instance"] = nil
            return try canonicalJSON(object)
        }

        /// `Retry-After` is a whole number of seconds above 0.
        private static func expectRetryAfter(_ response: HTTPResult, sourceLocation: SourceLocation = #_sourceLocation) {
            let header = response.header("Retry-After")
            let seconds = header.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            #expect((seconds ?? 0) > 0, "Retry-After should be whole seconds > 0: '\(header ?? "missing")'", sourceLocation: sourceLocation)
        }
    }
}
