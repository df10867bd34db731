import Foundation
import Testing

extension ShopStackSuite {
    /// API3:2023 Broken Object Property Level Authorization: writing properties a client must not
    /// set (mass assignment) and reading properties a client must not see.
    @Suite("Attacks: object property level authorization (API3)")
    struct PropertyLevelAttackTests {
        @Test("Registers with an admin role in the body")
        func registersAsAdmin() async throws {
            let stack = try Stack.require()
            let email = Session.newEmail()
            let password = Session.newPassword()
            let body = try canonicalJSON([
                "email": email, "password": password, "name": "Mallory", "roles": ["admin"], "role": "admin", "isAdmin": true,
            ])
            let created = try await stack.http.send(.POST, stack.url("/v1/auth/register"), json: body)
            #expect(created.status == 201, "\(created.text.prefix(300))")
            let pair = try await Session.login(stack, email: email, password: password)
            let roles = try JWT.claims(of: pair.accessToken)["roles"] as? [String] ?? []
            #expect(!roles.contains("admin"), "the token carries no admin role: \(roles)")
            let users = try await stack.http.send(.GET, stack.url("/v1/users"), headers: [bearer(pair.accessToken)])
            expectProblem(users, status: 403, path: "/v1/users")
        }

        @Test("Changes its own email and id through PATCH /v1/users/me")
        func rewritesEmailAndID() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let body = try canonicalJSON(["id": victim.id, "email": victim.email, "name": "Mallory"])
            let response = try await stack.http.send(.PATCH, stack.url("/v1/users/me"), json: body, headers: [bearer(attacker.accessToken)])
            #expect(response.status == 200 || response.status == 422, "\(response.status): \(response.text.prefix(300))")
            let me = try (try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(attacker.accessToken)])).jsonObject()
            #expect(me["id"] as? String == attacker.id, "the id is unchanged: \(me)")
            #expect(me["email"] as? String == attacker.email, "the email is unchanged: \(me)")
        }

        @Test("Sets its own unit price and total in an order")
        func setsItsOwnPrice() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack, price: 4200)
            let method = try await PaymentMethods.add(stack, attacker, card: .approves)
            var body = Orders.body(items: [], methodId: method)
            body["items"] = [["productId": product.id, "quantity": 2, "unitPrice": ["amount": 1, "currency": "USD"]]]
            body["total"] = ["amount": 2, "currency": "USD"]
            let response = try await Orders.submit(stack, attacker, body: body)
            #expect(response.status == 202 || response.status == 422, "\(response.status): \(response.text.prefix(300))")
            if response.status == 202 {
                let placed = try decodeBody(ShopOrder.self, response, what: "the order")
                let order = try await Orders.awaitFinal(stack, attacker, placed.id)
                #expect(Orders.lineTotal(order) == 8400, "the catalog price is charged: \(order.total)")
                #expect(order.total.amount == 8400, "the total is the catalog's: \(order.total)")
            }
        }

        @Test("Reads card numbers and CVCs back from saved payment methods")
        func readsCardNumbers() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            _ = try await PaymentMethods.add(stack, attacker, card: .approves)
            let response = try await stack.http.send(.GET, stack.url("/v1/payments/methods"), headers: [bearer(attacker.accessToken)])
            #expect(response.status == 200, "\(response.text.prefix(300))")
            Attack.expectNoLeak(response, of: TestCard.approves.rawValue)
            Attack.expectNoLeak(response, of: "cvc")
            Attack.expectNoLeak(response, of: "cardNumber")
        }

        @Test("Reads password hashes from profiles and from the admin's user list")
        func readsPasswordHashes() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let admin = try await Session.admin(stack)
            let own = try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(attacker.accessToken)])
            let list = try await stack.http.send(.GET, stack.url("/v1/users?limit=100"), headers: [bearer(admin.accessToken)])
            for response in [own, list] {
                #expect(response.status == 200, "\(response.text.prefix(300))")
                for word in ["password", "hash", "$argon", "$2b$", "pbkdf"] { Attack.expectNoLeak(response, of: word) }
            }
        }

        @Test("Reads a webhook's signing secret back from the list")
        func readsWebhookSecrets() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let secret = try await Attack.webhook(stack, attacker, url: "https://hooks.example.com/mallory").secret
            let list = try await stack.http.send(.GET, stack.url("/v1/notifications/webhooks"), headers: [bearer(attacker.accessToken)])
            #expect(list.status == 200, "\(list.text.prefix(300))")
            Attack.expectNoLeak(list, of: secret)
        }
    }
}
