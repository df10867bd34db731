import Foundation
import Testing

extension ShopStackSuite {
    /// Checkout through the gateway: the saga's outcomes, customer cancellation, idempotency, validation and
    /// ownership. Every test creates its own products and customers.
    @Suite("Checkout")
    struct CheckoutTests {
        private static let ordersPath = "/v1/orders"

        /// A fresh customer with a payment method for `card`.
        private func customer(_ stack: Stack, card: TestCard = .approves) async throws -> (session: Session, methodId: String) {
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: card)
            return (session, methodId)
        }

        @Test("Two products with an approving card: confirmed at catalog prices, stock taken, the total captured once")
        func confirmedOrder() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let first = try await Catalog.createProduct(stack, admin: admin, available: 10, price: 1999)
            let second = try await Catalog.createProduct(stack, admin: admin, available: 5, price: 350)
            let (session, methodId) = try await customer(stack)
            let items = [OrderItem(productId: first.id, quantity: 2), OrderItem(productId: second.id, quantity: 3)]

            let placed = try await Orders.submit(stack, session, body: Orders.body(items: items, methodId: methodId))
            #expect(placed.status == 202, "\(placed.text)")
            let pending = try decodeBody(ShopOrder.self, placed, what: "POST /v1/orders")
            #expect(pending.status == "pending", "a new order is pending: \(placed.text)")
            let location = placed.header("Location")
            #expect(location?.hasSuffix("/v1/orders/\(pending.id)") == true, "Location names the order: \(location ?? "missing")")
            #expect(sameID(pending.userId, session.id), "the order is the caller's: \(placed.text)")
            #expect(pending.historyTypes.first == "OrderPlaced", "\(placed.text)")
            Self.expectPricedFromCatalog(pending, [(first, 2), (second, 3)])
            #expect(pending.total == Money(amount: 2 * 1999 + 3 * 350, currency: "USD"), "\(placed.text)")

            let order = try await Orders.awaitFinal(stack, session, pending.id)
            #expect(order.status == "confirmed", "\(order.outcome)")
            #expect(order.cancellationReason == nil, "a confirmed order has no cancellation reason: \(order.outcome)")
            #expect(order.id == pending.id && sameID(order.userId, session.id), "\(order.id) of \(order.userId)")
            Self.expectPricedFromCatalog(order, [(first, 2), (second, 3)])
            Orders.expectFinalHistory(order)

            let firstNow = try await Catalog.available(stack, first.id)
            let secondNow = try await Catalog.available(stack, second.id)
            #expect(firstNow == 8, "10 available, 2 sold")
            #expect(secondNow == 2, "5 available, 3 sold")

            let payments = try await Orders.payments(stack, session, order.id)
            let captured = payments.filter { $0.status == "captured" }
            #expect(captured.count == 1, "exactly one captured payment: \(payments)")
            #expect(captured.first?.amount == order.total, "the captured amount is the order total \(order.total): \(payments)")
            #expect(!payments.contains { $0.status == "authorized" }, "no authorization left open: \(payments)")
        }

        @Test(
            "A declined card cancels the order with payment_declined, restores the stock and captures nothing",
            arguments: [TestCard.declined, .insufficientFunds]
        )
        func declinedCard(card: TestCard) async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 4)
            let (session, methodId) = try await customer(stack, card: card)

            let pending = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 3)], methodId: methodId)
            let order = try await Orders.awaitFinal(stack, session, pending.id)
            #expect(order.outcome == "cancelled/payment_declined", "\(order.outcome)")
            Orders.expectFinalHistory(order)

            let available = try await Catalog.available(stack, product.id)
            #expect(available == 4, "the reservation is released: \(available)")
            let payments = try await Orders.payments(stack, session, order.id)
            #expect(payments.allSatisfy { $0.status == "declined" }, "a declined payment or none: \(payments)")
        }

        @Test("More than is available cancels the order with out_of_stock; no stock taken, no payment authorized")
        func outOfStock() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let scarce = try await Catalog.createProduct(stack, admin: admin, available: 2)
            let plenty = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await customer(stack)
            // The second line could be reserved alone: the order as a whole still fails, and that line is released.
            let items = [OrderItem(productId: scarce.id, quantity: 3), OrderItem(productId: plenty.id, quantity: 1)]

            let pending = try await Orders.place(stack, session, items: items, methodId: methodId)
            let order = try await Orders.awaitFinal(stack, session, pending.id)
            #expect(order.outcome == "cancelled/out_of_stock", "\(order.outcome)")
            Orders.expectFinalHistory(order)

            let scarceNow = try await Catalog.available(stack, scarce.id)
            let plentyNow = try await Catalog.available(stack, plenty.id)
            #expect(scarceNow == 2, "stock unchanged: \(scarceNow)")
            #expect(plentyNow == 5, "the other line is not kept reserved: \(plentyNow)")
            let payments = try await Orders.payments(stack, session, order.id)
            #expect(
                !payments.contains { $0.status == "authorized" || $0.status == "captured" },
                "no payment authorized or captured: \(payments)"
            )
        }

        @Test("A card that always fails transiently: retried, then cancelled with payment_failed, stock back, nothing captured")
        func transientPaymentFailure() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await customer(stack, card: .failsTransiently)

            let pending = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 2)], methodId: methodId)
            // SAGA_PAYMENT_ATTEMPTS=3 with fast backoff in this stack: it gives up within seconds.
            let order = try await Orders.awaitFinal(stack, session, pending.id, timeout: .seconds(30))
            #expect(order.outcome == "cancelled/payment_failed", "\(order.outcome)")
            Orders.expectFinalHistory(order)

            let available = try await Catalog.available(stack, product.id)
            #expect(available == 5, "the reservation is released: \(available)")
            let payments = try await Orders.payments(stack, session, order.id)
            #expect(
                !payments.contains { $0.status == "authorized" || $0.status == "captured" },
                "nothing authorized or captured: \(payments)"
            )
        }

        @Test("Cancelling a confirmed order: 202, then cancelled/customer_request, payment refunded, stock back; again 409")
        func cancelConfirmedOrder() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 6, price: 1500)
            let (session, methodId) = try await customer(stack)

            let pending = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 2)], methodId: methodId)
            let confirmed = try await Orders.awaitFinal(stack, session, pending.id)
            try #require(confirmed.status == "confirmed", "the order must be confirmed first: \(confirmed.outcome)")
            let sold = try await Catalog.available(stack, product.id)
            #expect(sold == 4, "2 of 6 sold: \(sold)")

            let path = "\(Self.ordersPath)/\(confirmed.id)/cancel"
            let cancel = try await Orders.cancel(stack, session, confirmed.id)
            #expect(cancel.status == 202, "\(cancel.text)")
            let accepted = try decodeBody(ShopOrder.self, cancel, what: "POST \(path)")
            #expect(accepted.id == confirmed.id, "202 carries the order: \(cancel.text)")

            // A second request while the cancellation is under way, or after it finished: 409 either way.
            let during = try await Orders.cancel(stack, session, confirmed.id)
            expectProblem(during, status: 409, path: path)

            let order = try await Orders.awaitFinal(stack, session, confirmed.id, statuses: ["cancelled"])
            #expect(order.outcome == "cancelled/customer_request", "\(order.outcome)")
            Orders.expectFinalHistory(order)

            let available = try await Catalog.available(stack, product.id)
            #expect(available == 6, "restocked: \(available)")
            let payments = try await Orders.payments(stack, session, order.id)
            let refunded = payments.filter { $0.status == "refunded" }
            #expect(refunded.count == 1, "the payment is refunded: \(payments)")
            #expect(refunded.first?.amount == order.total, "the refund is the order total \(order.total): \(payments)")
            #expect(!payments.contains { $0.status == "captured" }, "no payment stays captured: \(payments)")

            let again = try await Orders.cancel(stack, session, order.id)
            expectProblem(again, status: 409, path: path)
            let unchanged = try await Orders.awaitFinal(stack, session, order.id)
            #expect(unchanged.outcome == "cancelled/customer_request", "\(unchanged.outcome)")
            #expect(unchanged.updatedAt == order.updatedAt, "a refused cancel changes nothing")
        }

        @Test("The same Idempotency-Key and body twice: 202 both times with the same order, placed once")
        func idempotentReplay() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await customer(stack)
            let body = Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
            let key = "checkout-\(UUID().uuidString.lowercased())"

            let first = try await Orders.submit(stack, session, body: body, idempotencyKey: key)
            #expect(first.status == 202, "\(first.text)")
            let second = try await Orders.submit(stack, session, body: body, idempotencyKey: key)
            #expect(second.status == 202, "the replay answers 202 too: \(second.text)")
            let original = try decodeBody(ShopOrder.self, first, what: "POST /v1/orders")
            let replayed = try decodeBody(ShopOrder.self, second, what: "POST /v1/orders (replay)")
            #expect(replayed.id == original.id, "the same order: \(original.id) vs \(replayed.id)")
            #expect(second.header("Location") == first.header("Location"), "the same Location")

            let order = try await Orders.awaitFinal(stack, session, original.id)
            #expect(order.status == "confirmed", "\(order.outcome)")
            let orders = try await Orders.list(stack, session)
            #expect(orders.map(\.id) == [original.id], "exactly one order for the customer: \(orders)")
            let available = try await Catalog.available(stack, product.id)
            #expect(available == 4, "one unit sold, not two: \(available)")
        }

        @Test("The same Idempotency-Key with another body answers 409 and places nothing more")
        func idempotencyKeyReusedWithAnotherBody() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await customer(stack)
            let key = "checkout-\(UUID().uuidString.lowercased())"

            let original = try await Orders.place(
                stack,
                session,
                items: [OrderItem(productId: product.id, quantity: 1)],
                methodId: methodId,
                idempotencyKey: key
            )
            let other = Orders.body(items: [OrderItem(productId: product.id, quantity: 2)], methodId: methodId)
            let conflict = try await Orders.submit(stack, session, body: other, idempotencyKey: key)
            expectProblem(conflict, status: 409, path: Self.ordersPath)

            let order = try await Orders.awaitFinal(stack, session, original.id)
            #expect(order.items.first?.quantity == 1, "the first request's order stands: \(order.items)")
            let orders = try await Orders.list(stack, session)
            #expect(orders.map(\.id) == [original.id], "exactly one order for the customer: \(orders)")
            let available = try await Catalog.available(stack, product.id)
            #expect(available == (order.status == "confirmed" ? 4 : 5), "only the first order touched the stock: \(available)")
        }

        @Test("422 naming the field: no items, quantity below 1, unknown or archived product, someone else's payment method")
        func invalidOrders() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let archived = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let archive = try await Catalog.archive(stack, admin: admin, archived.id)
            #expect(archive.status == 204, "\(archive.text)")
            let gone = try await stack.http.send(.GET, stack.url("/v1/products/\(archived.id)"))
            expectProblem(gone, status: 404, path: "/v1/products/\(archived.id)")

            let (session, methodId) = try await customer(stack)
            let (_, strangersMethodId) = try await customer(stack)
            let unknownId = UUID().uuidString.lowercased()
            let valid = OrderItem(productId: product.id, quantity: 1)

            let cases: [(what: String, body: [String: Any], field: String)] = [
                ("no items", Orders.body(items: [], methodId: methodId), "items"),
                ("quantity 0", Orders.body(items: [OrderItem(productId: product.id, quantity: 0)], methodId: methodId), "items[0].quantity"),
                ("quantity -1", Orders.body(items: [OrderItem(productId: product.id, quantity: -1)], methodId: methodId), "items[0].quantity"),
                ("unknown product", Orders.body(items: [OrderItem(productId: unknownId, quantity: 1)], methodId: methodId), "items[0].productId"),
                (
                    "unknown product on the second line",
                    Orders.body(items: [valid, OrderItem(productId: unknownId, quantity: 1)], methodId: methodId),
                    "items[1].productId"
                ),
                ("archived product", Orders.body(items: [OrderItem(productId: archived.id, quantity: 1)], methodId: methodId), "items[0].productId"),
                ("another customer's payment method", Orders.body(items: [valid], methodId: strangersMethodId), "paymentMethodId"),
                ("an unknown payment method", Orders.body(items: [valid], methodId: UUID().uuidString.lowercased()), "paymentMethodId"),
            ]
            for entry in cases {
                let response = try await Orders.submit(stack, session, body: entry.body)
                #expect(response.status == 422, "\(entry.what): \(response.text.prefix(500))")
                expectValidationProblem(response, path: Self.ordersPath, fields: [entry.field])
            }

            let orders = try await Orders.list(stack, session)
            #expect(orders.isEmpty, "no rejected request placed an order: \(orders)")
            let available = try await Catalog.available(stack, product.id)
            #expect(available == 5, "no rejected request touched the stock: \(available)")
        }

        @Test("Prices sent by the client are never used: the order is priced from the catalog, or the request is refused")
        func clientPricesAreIgnored() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5, price: 4200)
            let (session, methodId) = try await customer(stack)
            var body = Orders.body(items: [], methodId: methodId)
            body["items"] = [["productId": product.id, "quantity": 2, "unitPrice": ["amount": 1, "currency": "USD"], "name": "Bargain"]]
            body["total"] = ["amount": 2, "currency": "USD"]

            let response = try await Orders.submit(stack, session, body: body)
            // Unknown members may be ignored (202) or refused (400/422); either way no client price is used.
            #expect([202, 400, 422].contains(response.status), "accepted and priced by the catalog, or refused: \(response.text)")
            guard response.status == 202 else {
                expectProblem(response, status: response.status, path: Self.ordersPath)
                return
            }
            let pending = try decodeBody(ShopOrder.self, response, what: "POST /v1/orders")
            Self.expectPricedFromCatalog(pending, [(product, 2)])
            let order = try await Orders.awaitFinal(stack, session, pending.id)
            Self.expectPricedFromCatalog(order, [(product, 2)])
            if order.status == "confirmed" {
                let payments = try await Orders.payments(stack, session, order.id)
                let captured = payments.filter { $0.status == "captured" }
                #expect(captured.map(\.amount) == [Money(amount: 8400, currency: "USD")], "the catalog total is captured: \(payments)")
            }
        }

        @Test("Another customer gets 404 reading or cancelling the order and does not list it; the admin reads it")
        func ordersAreTheOwnersOnly() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (owner, methodId) = try await customer(stack)
            let stranger = try await Session.register(stack, name: "Stranger")

            let pending = try await Orders.place(stack, owner, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
            let path = "\(Self.ordersPath)/\(pending.id)"

            let read = try await Orders.get(stack, stranger, pending.id)
            expectProblem(read, status: 404, path: path)
            #expect(!read.text.lowercased().contains(owner.id.lowercased()), "nothing of the order leaks: \(read.text)")
            let cancel = try await Orders.cancel(stack, stranger, pending.id)
            expectProblem(cancel, status: 404, path: "\(path)/cancel")
            let listed = try await Orders.list(stack, stranger)
            #expect(!listed.contains { $0.id == pending.id }, "not in the stranger's list: \(listed)")

            let asAdmin = try await Orders.awaitFinal(stack, admin, pending.id)
            #expect(asAdmin.id == pending.id && sameID(asAdmin.userId, owner.id), "the admin reads any order: \(asAdmin.userId)")
            let asOwner = try await Orders.awaitFinal(stack, owner, pending.id)
            #expect(asOwner.status == "confirmed", "the stranger's cancel did nothing: \(asOwner.outcome)")
        }

        // MARK: Helpers

        /// The order has one line per expected product, named and priced as the catalog has it, and its total
        /// is the sum of unit price × quantity.
        private static func expectPricedFromCatalog(
            _ order: ShopOrder,
            _ expected: [(product: CatalogProduct, quantity: Int)],
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(order.items.count == expected.count, "\(expected.count) lines: \(order.items)", sourceLocation: sourceLocation)
            for (product, quantity) in expected {
                let line = order.items.first { sameID($0.productId, product.id) }
                #expect(line != nil, "a line for \(product.id): \(order.items)", sourceLocation: sourceLocation)
                #expect(line?.name == product.name, "the catalog's name: \(order.items)", sourceLocation: sourceLocation)
                #expect(line?.quantity == quantity, "quantity \(quantity): \(order.items)", sourceLocation: sourceLocation)
                #expect(line?.unitPrice == product.price, "the catalog's price \(product.price): \(order.items)", sourceLocation: sourceLocation)
            }
            let sum = expected.reduce(0) { $0 + $1.product.price.amount * $1.quantity }
            let currency = expected.first?.product.price.currency ?? ""
            #expect(order.total == Money(amount: sum, currency: currency), "total: \(order.total)", sourceLocation: sourceLocation)
            #expect(Orders.lineTotal(order) == order.total.amount, "total is Σ unit price × quantity", sourceLocation: sourceLocation)
        }
    }
}
