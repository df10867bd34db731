import Foundation
import Testing

/// Helpers for the attack suites (OWASP API Security Top 10, 2023): each attack is a test named
/// after what it tries, and each expects the attack to be refused and to change nothing.
enum Attack {
    /// Registers two customers: the attacker and the victim.
    static func attackerAndVictim(_ stack: Stack) async throws -> (attacker: Session, victim: Session) {
        async let attacker = Session.register(stack, name: "Mallory")
        async let victim = Session.register(stack, name: "Alice")
        return try await (attacker, victim)
    }

    /// A product in stock, created by the admin.
    static func product(_ stack: Stack, available: Int = 50, price: Int = 1999) async throws -> CatalogProduct {
        let admin = try await Session.admin(stack)
        return try await Catalog.createProduct(stack, admin: admin, available: available, price: price)
    }

    /// The victim's confirmed order of one unit of a fresh product.
    static func victimsOrder(_ stack: Stack, _ victim: Session) async throws -> ShopOrder {
        let product = try await Self.product(stack)
        let method = try await PaymentMethods.add(stack, victim, card: .approves)
        let placed = try await Orders.place(stack, victim, items: [OrderItem(productId: product.id, quantity: 1)], methodId: method)
        return try await Orders.awaitFinal(stack, victim, placed.id)
    }

    /// `POST /v1/notifications/webhooks` for `session`; the webhook's id and secret. Throws unless 201.
    static func webhook(_ stack: Stack, _ session: Session, url: String) async throws -> (id: String, secret: String) {
        let created = try await stack.http.send(
            .POST,
            stack.url("/v1/notifications/webhooks"),
            json: try canonicalJSON(["url": url]),
            headers: [bearer(session.accessToken)]
        )
        let body = try? created.jsonObject()
        guard created.status == 201, let id = body?["id"] as? String, let secret = body?["secret"] as? String else {
            throw HarnessError(
                "POST /v1/notifications/webhooks: expected 201 with an id and a secret, got \(created.status): \(created.text.prefix(300))"
            )
        }
        return (id, secret)
    }

    /// The response text never mentions `secret` (case-insensitively).
    static func expectNoLeak(_ response: HTTPResult, of secret: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            !response.text.lowercased().contains(secret.lowercased()),
            "the answer must not contain \(secret): \(response.text.prefix(400))",
            sourceLocation: sourceLocation
        )
    }
}
