import Foundation
import Testing

extension ShopStackSuite {
    /// API1:2023 Broken Object Level Authorization: a customer reaching another customer's
    /// objects by id. Each answers 404 (existence is not revealed) and changes nothing.
    @Suite("Attacks: object level authorization (API1)")
    struct ObjectLevelAttackTests {
        @Test("Reads another customer's order by its id")
        func readsAnotherCustomersOrder() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let order = try await Attack.victimsOrder(stack, victim)
            let response = try await Orders.get(stack, attacker, order.id)
            expectProblem(response, status: 404, path: "/v1/orders/\(order.id)")
            Attack.expectNoLeak(response, of: victim.id)
        }

        @Test("Cancels another customer's order")
        func cancelsAnotherCustomersOrder() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let order = try await Attack.victimsOrder(stack, victim)
            let response = try await Orders.cancel(stack, attacker, order.id)
            expectProblem(response, status: 404, path: "/v1/orders/\(order.id)/cancel")
            let after = try decodeBody(ShopOrder.self, try await Orders.get(stack, victim, order.id), what: "the victim's order")
            #expect(after.status == order.status, "the victim's order is unchanged: \(after.status)")
        }

        @Test("Lists another customer's payments by their order id")
        func listsAnotherCustomersPayments() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let order = try await Attack.victimsOrder(stack, victim)
            #expect(!(try await Orders.payments(stack, victim, order.id)).isEmpty, "the victim sees their payment")
            let response = try await stack.http.send(.GET, stack.url("/v1/payments?orderId=\(order.id)"), headers: [bearer(attacker.accessToken)])
            #expect(response.status == 200 || response.status == 404, "\(response.status): \(response.text.prefix(300))")
            Attack.expectNoLeak(response, of: order.id)
        }

        @Test("Pays an order with another customer's saved card")
        func paysWithAnotherCustomersCard() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack)
            let victimsCard = try await PaymentMethods.add(stack, victim, card: .approves)
            let response = try await Orders.submit(
                stack,
                attacker,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: victimsCard)
            )
            #expect(response.status == 422 || response.status == 404, "refused: \(response.status) \(response.text.prefix(300))")
            #expect(try await Orders.list(stack, attacker).isEmpty, "no order was placed for the attacker")
        }

        @Test("Reads another customer's profile by id")
        func readsAnotherCustomersProfile() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let response = try await stack.http.send(.GET, stack.url("/v1/users/\(victim.id)"), headers: [bearer(attacker.accessToken)])
            expectProblem(response, status: 404, path: "/v1/users/\(victim.id)")
            Attack.expectNoLeak(response, of: victim.email)
        }

        @Test("Marks another customer's notification as read")
        func readsAnotherCustomersNotification() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let list = try await pollResponse(attempts: 200) { response in
                ((try? response.jsonObject())?["items"] as? [[String: Any]])?.isEmpty == false
            } send: {
                try await stack.http.send(.GET, stack.url("/v1/notifications"), headers: [bearer(victim.accessToken)])
            }
            let items = try #require((try list.jsonObject())["items"] as? [[String: Any]])
            let id = try #require(items.first?["id"] as? String)
            let response = try await stack.http.send(.POST, stack.url("/v1/notifications/\(id)/read"), headers: [bearer(attacker.accessToken)])
            expectProblem(response, status: 404, path: "/v1/notifications/\(id)/read")
            let again = try await stack.http.send(.GET, stack.url("/v1/notifications"), headers: [bearer(victim.accessToken)])
            let still = ((try again.jsonObject())["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }
            #expect(still?["readAt"] == nil || still?["readAt"] is NSNull, "the victim's notification is still unread: \(again.text.prefix(300))")
        }

        @Test("Deletes another customer's webhook")
        func deletesAnotherCustomersWebhook() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let id = try await Attack.webhook(stack, victim, url: "https://hooks.example.com/alice").id
            let response = try await stack.http.send(.DELETE, stack.url("/v1/notifications/webhooks/\(id)"), headers: [bearer(attacker.accessToken)])
            expectProblem(response, status: 404, path: "/v1/notifications/webhooks/\(id)")
            let list = try await stack.http.send(.GET, stack.url("/v1/notifications/webhooks"), headers: [bearer(victim.accessToken)])
            #expect(list.text.contains(id), "the victim's webhook is still there: \(list.text.prefix(300))")
        }
    }
}
