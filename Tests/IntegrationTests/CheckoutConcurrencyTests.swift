import Foundation
import Testing

extension ShopStackSuite {
    /// Many customers racing for the last units of one product.
    @Suite("Checkout concurrency")
    struct CheckoutConcurrencyTests {
        private static let stock = 10
        private static let customers = 8
        private static let orders = 40

        /// What the two watching tasks report.
        private enum Watch: Sendable {
            case finished([String: ShopOrder])
            case lowest(Int?)
        }

        @Test("40 concurrent one-unit orders for 10 in stock: 10 confirmed, 30 out_of_stock, stock 0 and never below, 10 captures")
        func noOversell() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: Self.stock, price: 990)
            var buyers: [(session: Session, methodId: String)] = []
            for index in 0..<Self.customers {
                let session = try await Session.register(stack, name: "Buyer \(index)")
                buyers.append((session, try await PaymentMethods.add(stack, session, card: .approves)))
            }

            // Every order at once; each carries its own Idempotency-Key, so an overloaded 503 can be retried safely.
            let placed = try await withThrowingTaskGroup(of: (session: Session, id: String).self) { group in
                for index in 0..<Self.orders {
                    let buyer = buyers[index % Self.customers]
                    group.addTask {
                        let body = Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: buyer.methodId)
                        let order = try await Self.placeRetryingOverload(stack, buyer.session, body: body)
                        return (buyer.session, order.id)
                    }
                }
                var placed: [(session: Session, id: String)] = []
                for try await entry in group {
                    placed.append(entry)
                }
                return placed
            }
            #expect(Set(placed.map(\.id)).count == Self.orders, "\(Self.orders) distinct orders")

            // While the sagas run, watch the stock: it must never go below zero.
            let (finished, lowest) = try await withThrowingTaskGroup(of: Watch.self) { group in
                group.addTask {
                    .finished(try await Orders.awaitAllFinal(stack, placed, timeout: .seconds(120)))
                }
                group.addTask {
                    var lowest: Int?
                    while !Task.isCancelled {
                        if let available = try? await Catalog.available(stack, product.id) {
                            lowest = min(lowest ?? available, available)
                        }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    return .lowest(lowest)
                }
                var finished: [String: ShopOrder] = [:]
                var lowest: Int?
                // When awaiting the orders throws, the group cancels the watcher on the way out.
                while let result = try await group.next() {
                    switch result {
                    case .finished(let orders):
                        finished = orders
                        group.cancelAll()
                    case .lowest(let value):
                        lowest = value
                    }
                }
                return (finished, lowest)
            }

            let outcomes = finished.values.map(\.outcome)
            let confirmed = finished.values.filter { $0.status == "confirmed" }
            let outOfStock = finished.values.filter { $0.outcome == "cancelled/out_of_stock" }
            let tally = Dictionary(grouping: outcomes, by: { $0 }).mapValues(\.count)
            #expect(confirmed.count == Self.stock, "exactly \(Self.stock) confirmed: \(tally)")
            #expect(outOfStock.count == Self.orders - Self.stock, "the rest cancelled out_of_stock: \(tally)")
            for order in finished.values {
                Orders.expectFinalHistory(order)
            }

            let available = try await Catalog.available(stack, product.id)
            #expect(available == 0, "sold out, not oversold: \(available)")
            #expect((lowest ?? 0) >= 0, "available never went below 0 (lowest seen \(lowest.map(String.init) ?? "none"))")

            var capturedTotal = 0
            for entry in placed {
                let payments = try await Orders.payments(stack, entry.session, entry.id)
                let captured = payments.filter { $0.status == "captured" }
                capturedTotal += captured.count
                guard let order = finished[entry.id] else { continue }
                if order.status == "confirmed" {
                    #expect(captured.count == 1, "confirmed \(order.id) has one captured payment: \(payments)")
                    #expect(captured.first?.amount == order.total, "captured \(order.total): \(payments)")
                } else {
                    #expect(
                        !payments.contains { $0.status == "authorized" || $0.status == "captured" },
                        "\(order.outcome) \(order.id) has no authorized or captured payment: \(payments)"
                    )
                }
            }
            #expect(capturedTotal == Self.stock, "exactly \(Self.stock) captured payments, got \(capturedTotal)")
        }

        /// `POST /v1/orders` with a fresh Idempotency-Key, repeated with the same key (at most 5 times) while the
        /// stack answers 429 or 503; throws unless it ends in 202.
        private static func placeRetryingOverload(_ stack: Stack, _ session: Session, body: [String: Any]) async throws -> ShopOrder {
            let key = "concurrency-\(UUID().uuidString.lowercased())"
            var response = try await Orders.submit(stack, session, body: body, idempotencyKey: key)
            var attempt = 1
            while response.status == 429 || response.status == 503, attempt < 5 {
                let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
                try await Task.sleep(for: .milliseconds(min(max(retryAfter * 1000, 200), 2000)))
                response = try await Orders.submit(stack, session, body: body, idempotencyKey: key)
                attempt += 1
            }
            guard response.status == 202 else {
                throw HarnessError("POST /v1/orders (attempt \(attempt)): expected 202, got \(response.status): \(response.text.prefix(500))")
            }
            return try decodeBody(ShopOrder.self, response, what: "POST /v1/orders")
        }
    }
}
