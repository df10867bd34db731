import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ShopStackSuite {
    /// The saga survives a crash of the order service, and the read model can be rebuilt from the events.
    @Suite("Checkout crash recovery")
    struct CheckoutCrashTests {
        private static let initialStock = 200

        /// An order this test placed, with what it needs to check it afterwards.
        private struct Placed: Sendable {
            let session: Session
            let id: String
            let card: TestCard
        }

        @Test("SIGKILL order with sagas in flight: after a restart every order ends, stock is conserved, captures match")
        func sagasSurviveACrash() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let products = [
                try await Catalog.createProduct(stack, admin: admin, available: Self.initialStock, price: 1200),
                try await Catalog.createProduct(stack, admin: admin, available: Self.initialStock, price: 275),
            ]
            var customers: [(session: Session, approving: String, declining: String)] = []
            for index in 0..<3 {
                let session = try await Session.register(stack, name: "Crash \(index)")
                let approving = try await PaymentMethods.add(stack, session, card: .approves)
                let declining = try await PaymentMethods.add(stack, session, card: .declined)
                customers.append((session, approving, declining))
            }

            // 15 orders at once: every fifth with the declined card, the even ones over both products.
            let requests: [(session: Session, methodId: String, card: TestCard, items: [OrderItem])] = (0..<15).map { index in
                let customer = customers[index % customers.count]
                let card: TestCard = index % 5 == 4 ? .declined : .approves
                var items = [OrderItem(productId: products[0].id, quantity: 1 + index % 3)]
                if index.isMultiple(of: 2) {
                    items.append(OrderItem(productId: products[1].id, quantity: 2))
                }
                let methodId = card == .declined ? customer.declining : customer.approving
                return (session: customer.session, methodId: methodId, card: card, items: items)
            }
            let placed = try await withThrowingTaskGroup(of: Placed.self) { group in
                for request in requests {
                    group.addTask {
                        let order = try await Orders.place(stack, request.session, items: request.items, methodId: request.methodId)
                        return Placed(session: request.session, id: order.id, card: request.card)
                    }
                }
                var placed: [Placed] = []
                for try await entry in group {
                    placed.append(entry)
                }
                return placed
            }

            // Kill it while the sagas are in flight, then bring it back (nothing between the two can throw).
            let orderProcess = try stack.process("order")
            #expect(orderProcess.isRunning, "order runs before the kill")
            orderProcess.terminate(signal: SIGKILL)
            let exitStatus = await orderProcess.waitForExit(timeout: .seconds(10))
            #expect(
                exitStatus != nil && orderProcess.exitedBySignal,
                "order died from SIGKILL (status \(exitStatus.map(String.init) ?? "still running"))"
            )
            try await stack.restore("order")

            let finished = try await Orders.awaitAllFinal(stack, placed.map { (session: $0.session, id: $0.id) }, timeout: .seconds(60))
            let tally = Dictionary(grouping: finished.values.map(\.outcome), by: { $0 }).mapValues(\.count)
            for entry in placed {
                let done = try #require(finished[entry.id])
                Orders.expectFinalHistory(done)
                // A declined card can never confirm; an approving one is only cancelled by the saga deadline.
                if entry.card == .declined {
                    #expect(
                        ["cancelled/payment_declined", "cancelled/deadline_exceeded"].contains(done.outcome),
                        "declined card: \(done.id) is \(done.outcome)"
                    )
                } else {
                    #expect(
                        ["confirmed", "cancelled/deadline_exceeded"].contains(done.outcome),
                        "approving card: \(done.id) is \(done.outcome)"
                    )
                }
            }

            // Stock is conserved: what is gone is exactly what confirmed orders bought.
            for product in products {
                let sold = finished.values.filter { $0.status == "confirmed" }
                    .flatMap(\.items)
                    .filter { sameID($0.productId, product.id) }
                    .reduce(0) { $0 + $1.quantity }
                let available = try await Catalog.available(stack, product.id)
                #expect(
                    available + sold == Self.initialStock,
                    "\(product.sku): \(Self.initialStock) initially = \(available) available + \(sold) sold; outcomes \(tally)"
                )
            }

            // A payment is captured exactly once per confirmed order and never for a cancelled one.
            for entry in placed {
                guard let done = finished[entry.id] else { continue }
                let payments = try await Orders.payments(stack, entry.session, entry.id)
                let captured = payments.filter { $0.status == "captured" }
                if done.status == "confirmed" {
                    #expect(captured.count == 1, "confirmed \(done.id) has exactly one captured payment: \(payments)")
                    #expect(captured.first?.amount == done.total, "captured \(done.total) for \(done.id): \(payments)")
                } else {
                    #expect(
                        payments.allSatisfy { ["voided", "refunded", "declined"].contains($0.status) },
                        "\(done.outcome) \(done.id) has no captured or open payment: \(payments)"
                    )
                }
            }

            try await expectRebuildChangesNothing(stack, placed)
        }

        /// Runs `order rebuild-read-model` and expects every order (and each owner's list) to read exactly the same
        /// afterwards, `updatedAt` included.
        private func expectRebuildChangesNothing(_ stack: Stack, _ placed: [Placed]) async throws {
            var before: [String: String] = [:]
            for entry in placed {
                before[entry.id] = try await Self.document(stack, entry)
            }
            let owners = Dictionary(grouping: placed, by: \.session.id).compactMap { $0.value.first?.session }
            var listsBefore: [String: [String]] = [:]
            for owner in owners {
                listsBefore[owner.id] = try await Orders.list(stack, owner).map { "\($0.id) \($0.status)" }.sorted()
            }

            let rebuild = try await OrderReadModelRebuild.run(stack, timeout: .seconds(60))
            #expect(rebuild.status == 0, "rebuild-read-model exits 0 within 60 s; stderr:\n\(rebuild.standardError.suffix(2000))")
            let counts = rebuild.standardOutput.split(whereSeparator: \.isNewline).flatMap { line in
                line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            }
            #expect(
                counts.contains { $0 >= placed.count },
                "it prints how many orders it rebuilt (at least \(placed.count)); stdout:\n\(rebuild.standardOutput.suffix(2000))"
            )

            for entry in placed {
                let after = try await Self.document(stack, entry)
                #expect(
                    after == before[entry.id],
                    "order \(entry.id) reads the same after the rebuild:\nbefore \(before[entry.id] ?? "?")\nafter  \(after)"
                )
            }
            for owner in owners {
                let after = try await Orders.list(stack, owner).map { "\($0.id) \($0.status)" }.sorted()
                #expect(after == listsBefore[owner.id], "\(owner.email)'s order list is the same after the rebuild")
            }
        }

        /// `GET /v1/orders/{id}` as the owner, as canonical JSON; throws unless 200.
        private static func document(_ stack: Stack, _ entry: Placed) async throws -> String {
            let response = try await Orders.get(stack, entry.session, entry.id)
            guard response.status == 200 else {
                throw HarnessError("GET /v1/orders/\(entry.id): expected 200, got \(response.status): \(response.text.prefix(500))")
            }
            return try canonicalJSON(try response.jsonObject())
        }
    }
}
