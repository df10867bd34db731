import Foundation
import GRPCCore
import InternalAPI
import Logging
import PostgresNIO
import Testing

extension ShopStackSuite {
    /// A profile answers right after registration, however late the `user.registered` event is
    /// that normally creates it; the late event then changes nothing.
    @Suite("Read your writes")
    struct ReadYourWritesTests {
        private static let mePath = "/v1/users/me"

        @Test("GET /v1/users/me answers 200 right after register + login while user's consumer is held back; the late event changes nothing")
        func profileBeforeItsEvent() async throws {
            let stack = try Stack.require()
            let email = Session.newEmail()
            let password = Session.newPassword()
            let name = "Early Bird"
            let logger = ServiceDatabase.logger

            // user's consumer handles an event by inserting its id into `inbox` first: a lock on
            // that table holds every event back for as long as this transaction lasts.
            let (id, tokens) = try await ServiceDatabase.withClient("user", timeout: .seconds(60)) { client in
                try await client.withTransaction(logger: logger) { connection -> (String, TokenPair) in
                    try await connection.query("LOCK TABLE inbox IN EXCLUSIVE MODE", logger: logger)
                    let created = try await stack.http.send(
                        .POST,
                        stack.url("/v1/auth/register"),
                        json: try canonicalJSON(["email": email, "password": password, "name": name])
                    )
                    #expect(created.status == 201, "\(created.text)")
                    let id = try #require(try created.jsonObject()["id"] as? String, "an id: \(created.text)")
                    let tokens = try await Session.login(stack, email: email, password: password)

                    for url in [stack.url(Self.mePath), try stack.url(Self.mePath, on: "user")] {
                        let me = try await stack.http.send(.GET, url, headers: [bearer(tokens.accessToken)])
                        #expect(me.status == 200, "at once, before the event: \(url): \(me.status) \(me.text)")
                        let profile = try? me.jsonObject()
                        #expect(sameID(profile?["id"] as? String, id), "\(me.text)")
                        #expect(profile?["email"] as? String == email && profile?["name"] as? String == name, "\(me.text)")
                    }
                    // The owner may read it by id, and change it, before the event too.
                    let byID = try await stack.http.send(.GET, stack.url("/v1/users/\(id)"), headers: [bearer(tokens.accessToken)])
                    #expect(byID.status == 200, "\(byID.text)")
                    let renamed = try await stack.http.send(
                        .PATCH,
                        stack.url(Self.mePath),
                        json: try canonicalJSON(["name": "Early Bird Renamed"]),
                        headers: [bearer(tokens.accessToken)]
                    )
                    #expect(renamed.status == 200, "\(renamed.text)")

                    // All of that happened before user handled the event.
                    let eventID = try await Self.registrationEvent(of: id)
                    let rows = try await connection.query("SELECT count(*)::int8 FROM inbox WHERE event_id = \(eventID)", logger: logger)
                    for try await handled in rows.decode(Int64.self) {
                        #expect(handled == 0, "user.registered \(eventID) was not handled yet")
                    }
                    return (id, tokens)
                }
            }

            // The event was really late: it is handled only now that the lock is gone.
            let eventID = try await Self.registrationEvent(of: id)
            try await Self.awaitInbox(eventID)
            let me = try await stack.http.send(.GET, stack.url(Self.mePath), headers: [bearer(tokens.accessToken)])
            #expect(me.status == 200, "\(me.text)")
            #expect((try? me.jsonObject())?["name"] as? String == "Early Bird Renamed", "the late event did not overwrite the change: \(me.text)")
            let profiles = try await ServiceDatabase.withClient("user") { client in
                let rows = try await client.query("SELECT count(*)::int8 FROM profiles WHERE email = \(email)", logger: logger)
                var count: Int64 = 0
                for try await value in rows.decode(Int64.self) { count = value }
                return count
            }
            #expect(profiles == 1, "one profile for the account")
        }

        @Test(
            "Accounts/GetAccount on auth: /internal is 404 through the gateway; UNAUTHENTICATED without a token, PERMISSION_DENIED with a customer's"
        )
        func internalAccountsAreForServicesOnly() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)
            let path = "/internal/accounts/\(session.id)"
            let viaGateway = try await stack.http.send(.GET, stack.url(path), headers: [bearer(session.accessToken)])
            expectProblem(viaGateway, status: 404, path: path)
            for (token, expected) in [(nil, RPCError.Code.unauthenticated), (session.accessToken, .permissionDenied)] {
                let refused = await #expect(throws: RPCError.self) {
                    try await InternalRPC.withClient(stack, "auth") { client in
                        try await Shop_Auth_V1_Accounts.Client(wrapping: client).getAccount(
                            .with { $0.accountID = session.id },
                            metadata: InternalRPC.metadata(token: token, idempotencyKey: nil)
                        )
                    }
                }
                #expect(refused?.code == expected)
            }
            // user's own token reads it.
            let token = try await ServiceToken.obtain(stack, as: "user", for: "auth")
            let account = try await InternalRPC.withClient(stack, "auth") { client in
                try await Shop_Auth_V1_Accounts.Client(wrapping: client).getAccount(
                    .with { $0.accountID = session.id },
                    metadata: InternalRPC.metadata(token: token, idempotencyKey: nil)
                )
            }
            #expect(account.accountID == session.id.lowercased() && account.email == session.email)
        }

        /// The id of the `user.registered` event auth wrote for account `id`.
        private static func registrationEvent(of id: String) async throws -> UUID {
            let logger = ServiceDatabase.logger
            let found = try await ServiceDatabase.withClient("auth") { client -> UUID? in
                let rows = try await client.query(
                    "SELECT id FROM outbox WHERE type = 'user.registered' AND lower(subject) = lower(\(id))",
                    logger: logger
                )
                for try await eventID in rows.decode(UUID.self) { return eventID }
                return nil
            }
            return try #require(found, "auth wrote a user.registered event for \(id)")
        }

        /// Waits (15 s at most) until user's inbox records the event.
        private static func awaitInbox(_ eventID: UUID) async throws {
            let logger = ServiceDatabase.logger
            let deadline = ContinuousClock.now.advanced(by: .seconds(15))
            while ContinuousClock.now < deadline {
                let handled = try await ServiceDatabase.withClient("user") { client in
                    let rows = try await client.query("SELECT count(*)::int8 FROM inbox WHERE event_id = \(eventID)", logger: logger)
                    var count: Int64 = 0
                    for try await value in rows.decode(Int64.self) { count = value }
                    return count
                }
                if handled == 1 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("user did not handle user.registered \(eventID) within 15 s of the lock's release")
        }
    }
}
