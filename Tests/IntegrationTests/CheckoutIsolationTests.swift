import Foundation
import Testing

extension ShopStackSuite {
    /// One customer's trouble stays that customer's: a card that keeps failing transiently
    /// never trips a breaker or delays anyone else's checkout, and a customer can cancel at any
    /// step of the saga without waiting on it (the saga holds no lock while it calls out).
    @Suite("Checkout isolation")
    struct CheckoutIsolationTests {
        @Test("Transient cards retrying: another customer's checkout confirms, they end payment_failed, no breaker moves")
        func transientCardsDoNotStopOtherCustomers() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 50)
            let opensBefore = try await Self.breakerOpenings(stack, caller: "order", callee: "payment")
            let transitionsLoggedBefore = try Self.breakerTransitionsLogged(stack, caller: "order", callee: "payment")

            // Six orders on cards that always fail transiently: 18 failed authorizations with
            // SAGA_PAYMENT_ATTEMPTS=3, enough to open a breaker that counted them.
            var troubled: [(Session, ShopOrder)] = []
            for _ in 0..<6 {
                let session = try await Session.register(stack)
                let methodId = try await PaymentMethods.add(stack, session, card: .failsTransiently)
                let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
                troubled.append((session, order))
            }
            // Meanwhile another customer checks out: placed (not a 503) and confirmed.
            let good = try await Session.register(stack)
            let goodMethod = try await PaymentMethods.add(stack, good, card: .approves)
            let placed = try await Orders.submit(
                stack,
                good,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 2)], methodId: goodMethod)
            )
            #expect(placed.status == 202, "another customer's checkout is accepted: \(placed.text)")
            let pending = try decodeBody(ShopOrder.self, placed, what: "POST /v1/orders")
            let confirmed = try await Orders.awaitFinal(stack, good, pending.id, timeout: .seconds(20))
            #expect(confirmed.outcome == "confirmed", "\(confirmed.outcome)")

            for (session, order) in troubled {
                let final = try await Orders.awaitFinal(stack, session, order.id, timeout: .seconds(30))
                #expect(final.outcome == "cancelled/payment_failed", "\(final.outcome)")
            }
            let opensAfter = try await Self.breakerOpenings(stack, caller: "order", callee: "payment")
            #expect(opensAfter == opensBefore, "a transient card is a domain outcome, never a breaker failure: \(opensBefore) → \(opensAfter)")
            let transitionsLogged = try Self.breakerTransitionsLogged(stack, caller: "order", callee: "payment")
            #expect(transitionsLogged == transitionsLoggedBefore, "order logged no breaker transition for payment")
            let available = try await Catalog.available(stack, product.id)
            #expect(available == 48, "only the good order's 2 units are sold: \(available)")
        }

        @Test("A cancel while the saga's call to a frozen payment service hangs answers 202 at once, and the order ends cancelled")
        func cancelWhileTheSagaWaitsOnPayment() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10)
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)
            let payment = try stack.process("payment")

            var frozenOrder: ShopOrder?
            // Freeze payment right after placing; if the saga was quicker and already has the
            // authorization, try again with another order (a bounded number of times).
            for _ in 0..<5 {
                let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
                payment.terminate(signal: SIGSTOP)
                let seen = try await Self.awaitHistory(stack, session, order.id) { $0.contains("StockReserved") || $0.contains("PaymentAuthorized") }
                if !seen.contains("PaymentAuthorized") {
                    frozenOrder = order
                    break
                }
                payment.terminate(signal: SIGCONT)
                _ = try await Orders.awaitFinal(stack, session, order.id)
            }
            let order = try #require(frozenOrder, "the saga always authorized before payment could be frozen")
            defer { payment.terminate(signal: SIGCONT) }

            // The saga is now calling payment, which does not answer (order's client waits up to
            // 10 s; the gateway gives up on order after 5 s). The cancel must not wait on the saga.
            let cancel = try await Orders.cancel(stack, session, order.id)
            #expect(cancel.status == 202, "\(cancel.text)")
            payment.terminate(signal: SIGCONT)

            let final = try await Orders.awaitFinal(stack, session, order.id, statuses: ["cancelled"], timeout: .seconds(60))
            #expect(final.outcome == "cancelled/customer_request", "\(final.outcome)")
            let payments = try await Orders.payments(stack, session, order.id)
            #expect(!payments.contains { $0.status == "captured" || $0.status == "authorized" }, "nothing stays authorized or captured: \(payments)")
        }

        @Test("Cancels at random moments of 12 sagas: every answer 202 or 409, never 5xx; every order ends, stock conserved")
        func cancelsDuringEveryStep() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 100)
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)

            let answers = try await withThrowingTaskGroup(of: (String, Int, String).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
                        // Spread the cancels over the saga: at once, and up to a little after it could be done.
                        try await Task.sleep(for: .milliseconds(25 * index))
                        let cancel = try await Orders.cancel(stack, session, order.id)
                        return (order.id, cancel.status, cancel.text)
                    }
                }
                var answers: [(String, Int, String)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            for (id, status, text) in answers {
                #expect([202, 409].contains(status), "cancel of \(id): \(status) \(text.prefix(300))")
            }
            var sold = 0
            for (id, status, _) in answers {
                let order = try await Orders.awaitFinal(stack, session, id, timeout: .seconds(60))
                if status == 202 {
                    #expect(order.status == "cancelled", "an accepted cancel ends cancelled: \(order.outcome)")
                }
                if order.status == "confirmed" { sold += 1 }
            }
            let available = try await Catalog.available(stack, product.id)
            #expect(available == 100 - sold, "stock conserved: \(available) available, \(sold) sold")
        }

        /// `service_client_breaker_transitions_total{service=callee,to="open"}` on `caller`'s `/metrics`.
        static func breakerOpenings(_ stack: Stack, caller: String, callee: String) async throws -> Int {
            let metrics = try await stack.http.send(.GET, try stack.url("/metrics", on: caller))
            return metrics.text.split(separator: "\n")
                .filter {
                    $0.hasPrefix("service_client_breaker_transitions_total{") && $0.contains("service=\"\(callee)\"") && $0.contains("to=\"open\"")
                }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0) { $0 + Int($1) }
        }

        /// The "circuit breaker changed state" lines `caller` logged about `callee` so far.
        static func breakerTransitionsLogged(_ stack: Stack, caller: String, callee: String) throws -> Int {
            try stack.process(caller).logLines().filter {
                $0.contains("circuit breaker changed state") && $0.contains("\"breaker.service\":\"\(callee)\"")
            }.count
        }

        /// Polls the order until its history satisfies `condition`; the history then.
        static func awaitHistory(
            _ stack: Stack,
            _ session: Session,
            _ id: String,
            timeout: Duration = .seconds(20),
            _ condition: ([String]) -> Bool
        ) async throws -> [String] {
            let deadline = ContinuousClock.now + timeout
            var last: [String] = []
            while ContinuousClock.now < deadline {
                let response = try await Orders.get(stack, session, id)
                if response.status == 200 {
                    last = try decodeBody(ShopOrder.self, response, what: "GET /v1/orders/\(id)").historyTypes
                    if condition(last) { return last }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw HarnessError("order \(id)'s history did not get there within \(timeout): \(last)")
        }
    }
}

extension ShopStackSuite {
    /// One id follows a checkout everywhere: the request id of `POST /v1/orders` reaches product
    /// and payment with the caller's remaining deadline, and every saga call carries it as the
    /// order's correlation id.
    @Suite("Checkout correlation")
    struct CheckoutCorrelationTests {
        @Test("The placing request's id and deadline reach product and payment; the saga's calls carry it too")
        func requestIdAndDeadlineTravel() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)
            let requestId = "checkout-\(UUID().uuidString.lowercased())"

            let response = try await stack.http.send(
                .POST,
                stack.url("/v1/orders"),
                json: try canonicalJSON(Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)),
                headers: [bearer(session.accessToken), ("X-Request-ID", requestId)]
            )
            #expect(response.status == 202, "\(response.text)")
            let placed = try decodeBody(ShopOrder.self, response, what: "POST /v1/orders")
            let order = try await Orders.awaitFinal(stack, session, placed.id)
            #expect(order.status == "confirmed", "\(order.outcome)")

            let productCalls = try Self.pathsLogged(stack, "product", requestId: requestId)
            let paymentCalls = try Self.pathsLogged(stack, "payment", requestId: requestId)
            // Placement (with a deadline: the gateway gives every request one, and it becomes
            // the gRPC deadline).
            #expect(productCalls.contains { $0.path == "shop.catalog.v1.ProductLookup/LookupProducts" && $0.deadline }, "\(productCalls)")
            #expect(paymentCalls.contains { $0.path == "shop.payment.v1.Payments/CheckPaymentMethod" && $0.deadline }, "\(paymentCalls)")
            // The saga, later and in the background, under the same id and each step's budget.
            #expect(productCalls.contains { $0.path == "shop.inventory.v1.Reservations/Reserve" && $0.deadline }, "\(productCalls)")
            #expect(productCalls.contains { $0.path == "shop.inventory.v1.Reservations/Commit" && $0.deadline }, "\(productCalls)")
            #expect(paymentCalls.contains { $0.path == "shop.payment.v1.Payments/Authorize" && $0.deadline }, "\(paymentCalls)")
            #expect(paymentCalls.contains { $0.path == "shop.payment.v1.Payments/Capture" && $0.deadline }, "\(paymentCalls)")
        }

        /// The paths (HTTP) or methods (gRPC) of `service`'s per-request log lines for
        /// `requestId`, and whether each had a deadline.
        static func pathsLogged(_ stack: Stack, _ service: String, requestId: String) throws -> [(path: String, deadline: Bool)] {
            try stack.process(service).logLines().compactMap { line in
                guard line.contains(requestId),
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["requestId"] as? String == requestId,
                    let metadata = object["metadata"] as? [String: Any],
                    let path = (metadata["http.path"] ?? metadata["rpc.method"]) as? String
                else { return nil }
                return (path, metadata["request.deadline_ms"] != nil)
            }
        }
    }
}
