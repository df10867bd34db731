import Foundation
import Testing

extension ShopStackSuite {
    /// API6:2023 Unrestricted Access to Sensitive Business Flows: bending checkout, idempotency
    /// and registration to get goods, money or accounts one should not.
    @Suite("Attacks: sensitive business flows (API6)")
    struct BusinessFlowAttackTests {
        @Test("Orders a negative or zero quantity to earn a refund", arguments: [-5, 0])
        func ordersANonPositiveQuantity(quantity: Int) async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack, available: 5)
            let method = try await PaymentMethods.add(stack, attacker, card: .approves)
            let response = try await Orders.submit(
                stack,
                attacker,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: quantity)], methodId: method)
            )
            expectProblem(response, status: 422, path: "/v1/orders")
            #expect(try await Catalog.available(stack, product.id) == 5, "stock is unchanged")
        }

        @Test("Replays an idempotency key with a different, cheaper body")
        func replaysAnIdempotencyKeyWithAnotherBody() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack, available: 10)
            let method = try await PaymentMethods.add(stack, attacker, card: .approves)
            let key = "attack-\(UUID().uuidString)"
            let first = try await Orders.submit(
                stack,
                attacker,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: method),
                idempotencyKey: key
            )
            #expect(first.status == 202, "\(first.text.prefix(300))")
            let second = try await Orders.submit(
                stack,
                attacker,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 3)], methodId: method),
                idempotencyKey: key
            )
            #expect(
                [409, 422].contains(second.status),
                "a different body under the same key is refused: \(second.status) \(second.text.prefix(300))"
            )
            #expect(try await Orders.list(stack, attacker).count == 1, "one order only")
        }

        @Test("Cancels a cancelled order again")
        func cancelsTwice() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack, available: 10)
            let method = try await PaymentMethods.add(stack, attacker, card: .declined)
            let placed = try await Orders.place(stack, attacker, items: [OrderItem(productId: product.id, quantity: 1)], methodId: method)
            let order = try await Orders.awaitFinal(stack, attacker, placed.id)
            #expect(order.status == "cancelled")
            let again = try await Orders.cancel(stack, attacker, order.id)
            expectProblem(again, status: 409, path: "/v1/orders/\(order.id)/cancel")
        }

        @Test("Takes over an account by registering its email again")
        func registersAnExistingEmail() async throws {
            let stack = try Stack.require()
            let (_, victim) = try await Attack.attackerAndVictim(stack)
            for email in [victim.email, victim.email.uppercased(), " \(victim.email)"] {
                let body = try canonicalJSON(["email": email, "password": "attacker-password-1", "name": "Mallory"])
                let response = try await stack.http.send(.POST, stack.url("/v1/auth/register"), json: body)
                #expect([409, 422].contains(response.status), "\(email): \(response.status) \(response.text.prefix(300))")
            }
            _ = try await Session.login(stack, email: victim.email, password: victim.password)
            let stolen = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/login"),
                json: try canonicalJSON(["email": victim.email, "password": "attacker-password-1"])
            )
            #expect(stolen.status == 401, "the attacker's password does not open the account: \(stolen.status)")
        }

        @Test("Orders an archived product")
        func ordersAnArchivedProduct() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10)
            #expect(try await Catalog.archive(stack, admin: admin, product.id).status == 204)
            let method = try await PaymentMethods.add(stack, attacker, card: .approves)
            let response = try await Orders.submit(
                stack,
                attacker,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: method)
            )
            if response.status == 202 {
                let placed = try decodeBody(ShopOrder.self, response, what: "the order")
                let order = try await Orders.awaitFinal(stack, attacker, placed.id)
                #expect(order.status == "cancelled", "an archived product is never sold: \(order.status)")
            } else {
                #expect(response.status == 422, "\(response.status): \(response.text.prefix(300))")
            }
        }
    }
}
