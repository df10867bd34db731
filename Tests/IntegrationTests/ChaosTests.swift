import Foundation
import PostgresNIO
import Testing

extension ShopStackSuite {
    /// Concurrent checkouts through the gateway while random instances of product, payment, order and notification
    /// (the stack's own and one extra each) are SIGKILLed and restarted again and again, and Redis once; after
    /// quiescence the saga's invariants must hold. Sized by CHAOS_ORDERS, CHAOS_KILLS, CHAOS_CONCURRENCY and
    /// CHAOS_DURATION_SECONDS (`make chaos` runs it at full size; `make test` at the defaults).
    @Suite("Chaos")
    struct ChaosTests {
        /// The prices of the three products the load buys.
        private static let prices = [1200, 275, 4999]
        /// Customers paying with an approving card; one more pays with a declined card, so cancellations happen too.
        private static let approvingCustomers = 6
        /// How often a placement is sent (with the same Idempotency-Key) before it is given up.
        private static let placementAttempts = 30
        /// How many orders are polled at once while waiting for quiescence.
        private static let pollWidth = 8
        /// Final statuses a cancelled order's payment may have.
        private static let settledForCancelled: Set<String> = ["voided", "refunded", "declined"]

        /// What the checks counted.
        private struct Counts: Sendable {
            var orders = 0
            var confirmed = 0
            var cancelled = 0
            /// Orders found only in their owner's list (their 202 never arrived).
            var untracked = 0
        }

        /// How one placement ended.
        private enum Placement: Sendable {
            case accepted(String)
            case rejected(String)
            case abandoned(String)
        }

        /// The last look at an order: `order` is set once it is confirmed or cancelled.
        private struct Polled: Sendable {
            let id: String
            let order: ShopOrder?
            let lastSeen: String
        }

        /// A row of payment's `payments`.
        private struct PaymentRow: Sendable {
            let id: String
            let orderId: String
            let status: String
            let amount: Int
            let currency: String
        }

        /// What payment's database says about the chaos orders.
        private struct PaymentFacts: Sendable {
            let payments: [PaymentRow]
            /// `payment_ledger` rows of kind capture, grouped by payment (anywhere) and by chaos order, more than one.
            let paymentsCapturedTwice: [String]
            let ordersCapturedTwice: [String]
        }

        /// A row of notification's `notifications` of type `order.confirmed`.
        private struct NotificationRow: Sendable {
            let userId: String
            let subject: String
        }

        @Test("Checkouts while product, payment, order and notification instances are SIGKILLed and Redis restarts keep every invariant")
        func invariantsSurviveChaos() async throws {
            let stack = try Stack.require()
            let settings = try ChaosSettings.fromEnvironment()
            print("chaos: \(settings); service logs in \(stack.logDirectory.path)")
            let ports = try Ports.free(ChaosInstance.targetNames.count)
            let extras = try zip(ChaosInstance.targetNames, ports).map { name, port in try ChaosInstance.extra(stack, name, port: port) }
            let ledger = ChaosLedger(target: settings.orders, cap: settings.orders * 3)

            var counts = Counts()
            var failure: (any Error)?
            do {
                counts = try await Self.run(stack, settings: settings, extras: extras, ledger: ledger)
            } catch {
                failure = error
            }
            // Whatever happened: Redis answers, the extra instances are stopped, the stack's own ones run and are ready.
            await Self.cleanUp(stack, extras: extras)

            let tally = ledger.tally
            print(
                "chaos: placements started=\(tally.started) retried=\(tally.retries) rejected=\(tally.rejected) "
                    + "abandoned=\(tally.abandoned.count) untracked=\(counts.untracked)"
            )
            for reason in tally.abandoned.prefix(20) {
                print("chaos: abandoned: \(reason)")
            }
            print(
                "chaos: orders=\(counts.orders) confirmed=\(counts.confirmed) cancelled=\(counts.cancelled) kills=\(tally.kills) "
                    + "restarts=\(tally.restarts) redisRestarts=\(tally.redisRestarts) violations=\(tally.violations.count)"
            )
            for violation in tally.violations {
                print("chaos: violation: \(violation)")
            }
            if let failure { throw failure }

            let listed = tally.violations.prefix(50).joined(separator: "\n")
            #expect(tally.violations.isEmpty, "\(tally.violations.count) violations under chaos (invariants, placements, restarts):\n\(listed)")
            #expect(tally.kills >= settings.kills, "\(tally.kills) kills within \(settings.durationSeconds) s; CHAOS_KILLS=\(settings.kills)")
            #expect(
                counts.orders >= settings.orders,
                "\(counts.orders) orders accepted within \(settings.durationSeconds) s; CHAOS_ORDERS=\(settings.orders)"
            )
            #expect(tally.redisRestarts == 1, "Redis was restarted once during the load, \(tally.redisRestarts) times in fact")
        }

        // MARK: The run

        /// Set-up, load and chaos, quiescence, then the invariants (each violation into the ledger); the counts.
        private static func run(_ stack: Stack, settings: ChaosSettings, extras: [ChaosInstance], ledger: ChaosLedger) async throws -> Counts {
            // 1. One extra instance of each service the chaos kills, ready and in the registry.
            for extra in extras {
                try extra.process.start()
            }
            for extra in extras {
                try await extra.waitUntilReady(stack, timeout: .seconds(60))
                try await extra.waitUntilRegistered(timeout: .seconds(15))
            }
            // The gateway and the services refresh their view of the registry every 0.5 s.
            try await Task.sleep(for: .seconds(2))
            let instances = try ChaosInstance.targetNames.map { try ChaosInstance.original(stack, $0) } + extras

            // 2. Products with ample stock (an order has at most 3 of each), customers and their cards.
            let admin = try await Session.admin(stack)
            var products: [CatalogProduct] = []
            for price in prices {
                products.append(try await Catalog.createProduct(stack, admin: admin, available: ledger.cap * 3 + 10, price: price))
            }
            var customers: [ChaosCustomer] = []
            for index in 0...approvingCustomers {
                let card: TestCard = index == approvingCustomers ? .declined : .approves
                let session = try await Session.register(stack, name: "Chaos \(index)")
                let methodId = try await PaymentMethods.add(stack, session, card: card)
                customers.append(ChaosCustomer(session: session, card: card, methodId: methodId))
            }

            // 3. The load and the chaos at once, both bounded by CHAOS_DURATION_SECONDS.
            let startedAt = ContinuousClock.now
            let deadline = startedAt.advanced(by: settings.duration)
            let buyers = customers
            let catalog = products
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await unleash(stack, instances, kills: settings.kills, ledger: ledger, deadline: deadline) }
                for _ in 0..<settings.concurrency {
                    group.addTask { await placeOrders(stack, buyers, catalog, ledger: ledger, deadline: deadline) }
                }
            }
            print("chaos: load phase over after \(ContinuousClock.now - startedAt)")

            // 4. Quiescence: everything running again, every order final, the notifications given time.
            try await RedisControl.ensureRunning()
            for instance in instances {
                try await instance.revive(stack)
            }
            for customer in customers {
                try await customer.renew(stack)
            }
            var orders = ledger.tally.accepted
            orders += try await untracked(stack, customers, known: orders)
            var polled = await awaitFinal(stack, orders, timeout: .seconds(180))
            // A placement given up on the client's side may still have finished on the server's since.
            let late = try await untracked(stack, customers, known: orders)
            if !late.isEmpty {
                orders += late
                let polledLate = await awaitFinal(stack, late, timeout: .seconds(60))
                polled.merge(polledLate) { _, new in new }
            }

            // 5. The invariants.
            let counts = Counts(
                orders: Set(orders.map { $0.id.lowercased() }).count,
                confirmed: polled.values.filter { $0.order?.status == "confirmed" }.count,
                cancelled: polled.values.filter { $0.order?.status == "cancelled" }.count,
                untracked: orders.filter { $0.idempotencyKey == nil }.count
            )
            checkOrders(orders, polled, ledger: ledger)
            try await checkStock(stack, products, polled, ledger: ledger)
            try await checkPayments(orders, polled, ledger: ledger)
            try await checkNotifications(customers, orders, polled, ledger: ledger)
            return counts
        }

        /// Redis answers again, the extra instances are stopped, the stack's own instances run and the gateway sees
        /// them up; a failure here is recorded, not thrown, so every step runs.
        private static func cleanUp(_ stack: Stack, extras: [ChaosInstance]) async {
            do {
                try await RedisControl.ensureRunning()
            } catch {
                Issue.record("Redis does not answer after the chaos test: \(error)")
            }
            await withTaskGroup(of: Void.self) { group in
                for extra in extras {
                    group.addTask { await extra.process.stop(grace: .seconds(10)) }
                }
            }
            for extra in extras where extra.process.isRunning {
                Issue.record("\(extra.label) still runs after SIGTERM and SIGKILL")
            }
            for name in ChaosInstance.targetNames {
                do {
                    try await stack.restore(name)
                } catch {
                    Issue.record("\(name) is not back after the chaos test: \(error)")
                }
            }
        }

        // MARK: The load

        /// One worker: places orders (a random customer's, one or two products, 1 to 3 of each) until the ledger
        /// says the load is done.
        private static func placeOrders(
            _ stack: Stack,
            _ customers: [ChaosCustomer],
            _ products: [CatalogProduct],
            ledger: ChaosLedger,
            deadline: ContinuousClock.Instant
        ) async {
            var generator = SystemRandomNumberGenerator()
            while let sequence = ledger.claim(before: deadline) {
                let customer = customers[sequence % customers.count]
                let lines = Int.random(in: 1...2, using: &generator)
                let items = products.shuffled(using: &generator).prefix(lines).map { product in
                    OrderItem(productId: product.id, quantity: Int.random(in: 1...3, using: &generator))
                }
                let key = "chaos-\(UUID().uuidString.lowercased())"
                switch await place(stack, customer, items: items, key: key, ledger: ledger, deadline: deadline) {
                case .accepted(let id):
                    ledger.accepted(ChaosOrder(id: id, customer: customer, items: items, idempotencyKey: key))
                case .rejected(let reason):
                    ledger.rejected("\(key): \(reason)")
                case .abandoned(let reason):
                    ledger.abandoned("\(key): \(reason)")
                }
            }
        }

        /// `POST /v1/orders` with one Idempotency-Key: on 409 (the same key still in progress), 429, 502, 503, 504 or a
        /// transport error the same request again after 200 ms, up to 30 times and not past the deadline.
        private static func place(
            _ stack: Stack,
            _ customer: ChaosCustomer,
            items: [OrderItem],
            key: String,
            ledger: ChaosLedger,
            deadline: ContinuousClock.Instant
        ) async -> Placement {
            let body = Orders.body(items: items, methodId: customer.methodId)
            var last = "no answer"
            for attempt in 1...placementAttempts {
                if attempt > 1 {
                    guard ContinuousClock.now < deadline else {
                        return .abandoned("the load phase ended after \(attempt - 1) attempts; last: \(last)")
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                let response: HTTPResult
                do {
                    response = try await customer.send(stack) { session in
                        try await Orders.submit(stack, session, body: body, idempotencyKey: key)
                    }
                } catch {
                    last = "\(error)"
                    ledger.retried()
                    continue
                }
                switch response.status {
                case 202:
                    guard let id = (try? response.jsonObject())?["id"] as? String, !id.isEmpty else {
                        return .rejected("202 without an order id: \(response.text.prefix(300))")
                    }
                    return .accepted(id)
                case 409, 429, 502, 503, 504:
                    last = "\(response.status) \(response.text.prefix(200))"
                    ledger.retried()
                default:
                    return .rejected("POST /v1/orders answered \(response.status): \(response.text.prefix(300))")
                }
            }
            return .abandoned("\(placementAttempts) attempts; last: \(last)")
        }

        // MARK: The chaos

        /// Until `kills` kills are done (or the deadline): a random instance is SIGKILLed, restarted 300 to 800 ms later
        /// and waited for; Redis is restarted once, half-way.
        private static func unleash(
            _ stack: Stack,
            _ instances: [ChaosInstance],
            kills: Int,
            ledger: ChaosLedger,
            deadline: ContinuousClock.Instant
        ) async {
            defer { ledger.chaosFinished() }
            var generator = SystemRandomNumberGenerator()
            var redisRestarted = false
            while ledger.kills < kills, ContinuousClock.now < deadline {
                if !redisRestarted, ledger.kills >= kills / 2 {
                    redisRestarted = true
                    guard await restartRedis(stack, instances, ledger: ledger) else { return }
                }
                guard let instance = instances.randomElement(using: &generator) else { return }
                guard instance.process.isRunning else {
                    ledger.violation("chaos: \(instance.label) exited by itself; log \(instance.process.logFile.path)")
                    do {
                        try await instance.revive(stack)
                        ledger.restarted()
                    } catch {
                        ledger.violation("chaos: \(instance.label) did not come back: \(error)")
                        return
                    }
                    continue
                }
                let pid = instance.process.pid.map(String.init) ?? "?"
                guard await instance.kill() else {
                    ledger.violation("chaos: \(instance.label) still runs 10 s after SIGKILL")
                    return
                }
                ledger.killed()
                let pause = Int.random(in: 300...800, using: &generator)
                print("chaos: kill \(ledger.kills) of \(kills): \(instance.label) (pid \(pid)), restarted in \(pause) ms")
                try? await Task.sleep(for: .milliseconds(pause))
                do {
                    try await instance.revive(stack)
                    ledger.restarted()
                } catch {
                    ledger.violation("chaos: \(instance.label) did not come back after its kill: \(error)")
                    return
                }
            }
            // With fewer than two kills wanted the loop may end before its half-way point.
            if !redisRestarted, ContinuousClock.now < deadline {
                _ = await restartRedis(stack, instances, ledger: ledger)
            }
        }

        /// `SHUTDOWN` and `redis-server` again, then every instance and the gateway ready within 60 s; false (and a
        /// violation) when not.
        private static func restartRedis(_ stack: Stack, _ instances: [ChaosInstance], ledger: ChaosLedger) async -> Bool {
            print("chaos: restarting Redis")
            do {
                try await RedisControl.restart()
                ledger.redisRestarted()
            } catch {
                try? await RedisControl.ensureRunning()
                ledger.violation("chaos: the Redis restart failed: \(error)")
                return false
            }
            do {
                for instance in instances {
                    try await instance.waitUntilReady(stack, timeout: .seconds(60))
                }
                try await stack.waitUntilReady([Stack.gatewayName], deadline: ContinuousClock.now.advanced(by: .seconds(60)))
            } catch {
                ledger.violation("chaos: not ready again after the Redis restart: \(error)")
                return false
            }
            return true
        }

        // MARK: Quiescence

        /// The orders in the customers' lists that are not in `known`.
        private static func untracked(_ stack: Stack, _ customers: [ChaosCustomer], known: [ChaosOrder]) async throws -> [ChaosOrder] {
            let knownIds = Set(known.map { $0.id.lowercased() })
            var found: [ChaosOrder] = []
            for customer in customers {
                for entry in try await Orders.list(stack, customer.session) where !knownIds.contains(entry.id.lowercased()) {
                    found.append(ChaosOrder(id: entry.id, customer: customer, items: [], idempotencyKey: nil))
                }
            }
            return found
        }

        /// Polls every order (at most `pollWidth` at once) until it is confirmed or cancelled or `timeout` has passed;
        /// the last look at each, by lower-cased id.
        private static func awaitFinal(_ stack: Stack, _ orders: [ChaosOrder], timeout: Duration) async -> [String: Polled] {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            return await withTaskGroup(of: Polled.self) { group in
                var queue = orders.makeIterator()
                for _ in 0..<pollWidth {
                    guard let order = queue.next() else { break }
                    group.addTask { await poll(stack, order, until: deadline) }
                }
                var polled: [String: Polled] = [:]
                while let result = await group.next() {
                    polled[result.id.lowercased()] = result
                    if let order = queue.next() {
                        group.addTask { await poll(stack, order, until: deadline) }
                    }
                }
                return polled
            }
        }

        /// `GET /v1/orders/{id}` as its owner every 250 ms until it is final; at least once, even past `deadline`.
        private static func poll(_ stack: Stack, _ order: ChaosOrder, until deadline: ContinuousClock.Instant) async -> Polled {
            var lastSeen = "no answer"
            while true {
                do {
                    let response = try await order.customer.send(stack) { session in try await Orders.get(stack, session, order.id) }
                    if response.status == 200, let shown = try? response.decode(ShopOrder.self) {
                        if shown.isFinal { return Polled(id: order.id, order: shown, lastSeen: shown.status) }
                        lastSeen = shown.status
                    } else {
                        lastSeen = "\(response.status) \(response.text.prefix(200))"
                    }
                } catch {
                    lastSeen = "\(error)"
                }
                guard ContinuousClock.now < deadline else { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
            return Polled(id: order.id, order: nil, lastSeen: lastSeen)
        }

        // MARK: Invariants

        /// Every order final; one order per Idempotency-Key; each order holds the lines it was placed with.
        private static func checkOrders(_ orders: [ChaosOrder], _ polled: [String: Polled], ledger: ChaosLedger) {
            let keyed = Dictionary(grouping: orders.filter { $0.idempotencyKey != nil }, by: { $0.id.lowercased() })
            for (id, entries) in keyed where entries.count > 1 {
                ledger.violation("order \(id) was the answer to \(entries.count) different Idempotency-Keys")
            }
            var seen: Set<String> = []
            for order in orders where seen.insert(order.id.lowercased()).inserted {
                guard let shown = polled[order.id.lowercased()]?.order else {
                    let lastSeen = polled[order.id.lowercased()]?.lastSeen ?? "never polled"
                    ledger.violation("order \(order.id) is neither confirmed nor cancelled after quiescence: \(lastSeen)")
                    continue
                }
                guard order.idempotencyKey != nil else { continue }
                let asked = order.items.map { "\($0.productId.lowercased())x\($0.quantity)" }.sorted()
                let held = shown.items.map { "\($0.productId.lowercased())x\($0.quantity)" }.sorted()
                if asked != held {
                    ledger.violation("order \(order.id) holds \(held), placed with \(asked)")
                }
            }
        }

        /// Per product: the stock it was created with = available now + what confirmed orders bought.
        private static func checkStock(_ stack: Stack, _ products: [CatalogProduct], _ polled: [String: Polled], ledger: ChaosLedger) async throws {
            let confirmedLines = polled.values.compactMap(\.order).filter { $0.status == "confirmed" }.flatMap(\.items)
            for product in products {
                let sold = confirmedLines.filter { sameID($0.productId, product.id) }.reduce(0) { $0 + $1.quantity }
                let available = try await Catalog.available(stack, product.id)
                if product.available != available + sold {
                    ledger.violation(
                        "stock of \(product.sku): \(product.available) initially != \(available) available + \(sold) sold to confirmed orders"
                    )
                }
            }
        }

        /// No payment captured twice; a captured payment only for a confirmed order, which has exactly one, for its
        /// total; a cancelled order's payment voided, refunded or declined.
        private static func checkPayments(_ orders: [ChaosOrder], _ polled: [String: Polled], ledger: ChaosLedger) async throws {
            let ids = Array(Set(orders.map { $0.id.lowercased() }))
            let facts = try await ServiceDatabase.withClient("payment") { client in
                var payments: [PaymentRow] = []
                let rows = try await client.query(
                    "SELECT id::text, order_id::text, status, amount, currency FROM payments WHERE order_id = ANY(\(ids)::uuid[])",
                    logger: ServiceDatabase.logger
                )
                for try await (id, orderId, status, amount, currency) in rows.decode((String, String, String, Int, String).self) {
                    payments.append(PaymentRow(id: id, orderId: orderId.lowercased(), status: status, amount: amount, currency: currency))
                }
                var paymentsCapturedTwice: [String] = []
                let byPayment = try await client.query(
                    "SELECT payment_id::text FROM payment_ledger WHERE kind = 'capture' GROUP BY payment_id HAVING count(*) > 1",
                    logger: ServiceDatabase.logger
                )
                for try await id in byPayment.decode(String.self) {
                    paymentsCapturedTwice.append(id)
                }
                var ordersCapturedTwice: [String] = []
                let byOrder = try await client.query(
                    """
                    SELECT order_id::text FROM payment_ledger WHERE kind = 'capture' AND order_id = ANY(\(ids)::uuid[])
                    GROUP BY order_id HAVING count(*) > 1
                    """,
                    logger: ServiceDatabase.logger
                )
                for try await id in byOrder.decode(String.self) {
                    ordersCapturedTwice.append(id)
                }
                return PaymentFacts(payments: payments, paymentsCapturedTwice: paymentsCapturedTwice, ordersCapturedTwice: ordersCapturedTwice)
            }
            for id in facts.paymentsCapturedTwice {
                ledger.violation("payment \(id) has more than one capture in payment_ledger")
            }
            for id in facts.ordersCapturedTwice {
                ledger.violation("order \(id) has more than one capture in payment_ledger")
            }
            let paymentsByOrder = Dictionary(grouping: facts.payments, by: \.orderId)
            for payment in facts.payments where payment.status == "captured" {
                let status = polled[payment.orderId]?.order?.status ?? "not final"
                if status != "confirmed" {
                    ledger.violation("payment \(payment.id) is captured but its order \(payment.orderId) is \(status)")
                }
            }
            for (id, entry) in polled.sorted(by: { $0.key < $1.key }) {
                guard let order = entry.order else { continue }
                let payments = paymentsByOrder[id] ?? []
                let described = payments.map { "\($0.id) \($0.status) \($0.amount) \($0.currency)" }
                if order.status == "confirmed" {
                    let captured = payments.count == 1 && payments[0].status == "captured"
                    let paid = payments.first.map { $0.amount == order.total.amount && $0.currency == order.total.currency } ?? false
                    if !captured || !paid {
                        ledger.violation("confirmed order \(order.id) for \(order.total) has not exactly one payment captured for it: \(described)")
                    }
                } else {
                    let open = payments.filter { !settledForCancelled.contains($0.status) && $0.status != "captured" }
                    if !open.isEmpty {
                        ledger.violation("\(order.outcome) order \(order.id) has a payment neither voided, refunded nor declined: \(described)")
                    }
                }
            }
        }

        /// Exactly one `order.confirmed` notification per confirmed order (matched by owner and the subject naming the
        /// order's reference, `NotificationText.orderConfirmed`), and none for any other order; waits up to 60 s for
        /// the last ones to arrive.
        private static func checkNotifications(
            _ customers: [ChaosCustomer],
            _ orders: [ChaosOrder],
            _ polled: [String: Polled],
            ledger: ChaosLedger
        ) async throws {
            let owners = Dictionary(orders.map { ($0.id.lowercased(), $0.customer.id.lowercased()) }, uniquingKeysWith: { first, _ in first })
            let expected = Set(
                polled.values.compactMap(\.order).filter { $0.status == "confirmed" }.map { order in
                    "\(owners[order.id.lowercased()] ?? "?") \(confirmedSubject(order.id))"
                }
            )
            let userIds = customers.map { $0.id.lowercased() }
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            var rows = try await confirmedNotifications(userIds)
            while !expected.isSubset(of: Set(rows.map { "\($0.userId) \($0.subject)" })), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                rows = try await confirmedNotifications(userIds)
            }
            // Once nothing is in flight, no duplicate can still be on its way.
            try await EventSettling.awaitSettled(timeout: .seconds(60))
            rows = try await confirmedNotifications(userIds)

            var counts: [String: Int] = [:]
            for row in rows {
                counts["\(row.userId) \(row.subject)", default: 0] += 1
            }
            for key in expected.sorted() {
                let count = counts.removeValue(forKey: key) ?? 0
                if count != 1 {
                    ledger.violation("\(count) order.confirmed notifications (user, subject) \(key), expected exactly 1")
                }
            }
            for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
                ledger.violation("\(count) order.confirmed notifications (user, subject) \(key) for no confirmed order")
            }
        }

        /// The subject `NotificationText.orderConfirmed` writes: the order's first eight characters, upper case.
        private static func confirmedSubject(_ orderId: String) -> String {
            "Your order \(String(orderId.prefix(8)).uppercased()) is confirmed"
        }

        /// Every `order.confirmed` notification of these users.
        private static func confirmedNotifications(_ userIds: [String]) async throws -> [NotificationRow] {
            try await ServiceDatabase.withClient("notification") { client in
                var found: [NotificationRow] = []
                let rows = try await client.query(
                    "SELECT user_id::text, subject FROM notifications WHERE type = 'order.confirmed' AND user_id = ANY(\(userIds)::uuid[])",
                    logger: ServiceDatabase.logger
                )
                for try await (userId, subject) in rows.decode((String, String).self) {
                    found.append(NotificationRow(userId: userId.lowercased(), subject: subject))
                }
                return found
            }
        }
    }
}
