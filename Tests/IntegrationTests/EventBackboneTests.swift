import Crypto
import Foundation
import PostgresNIO
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ShopStackSuite {
    /// The event backbone seen from outside: the outbox, Redis Streams and the notification consumer turn
    /// registrations and order outcomes into notifications exactly once, through a consumer crash, a Redis
    /// restart and poison events (dead letters and redrive), and deliver them to signed webhooks.
    /// Every test creates its own customers and products; every process it stops is brought back.
    @Suite("Event backbone")
    struct EventBackboneTests {
        private static let notificationsPath = "/v1/notifications"
        private static let deadLettersPath = "/v1/notifications/dead-letters"
        private static let orderStream = "events:order"

        // MARK: Notifications

        @Test("Registering creates the profile and exactly one welcome notification, which only its owner can mark read")
        func registrationWelcomesOnce() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Ada Welcome", waitForProfile: false)

            let profile = try await awaitProfile(stack, token: session.accessToken)
            #expect(profile.status == 200, "the profile appears within 10 s: \(profile.text)")
            #expect(sameID((try? profile.jsonObject())?["id"] as? String, session.id), "the profile is the new user's: \(profile.text)")

            let welcomed = try await Self.awaitNotices(stack, session, timeout: .seconds(10)) { notices in
                notices.contains { $0.type == "user.registered" }
            }
            let welcomes = welcomed.filter { $0.type == "user.registered" }
            #expect(welcomes.count == 1, "exactly one welcome within 10 s: \(welcomed)")
            #expect(welcomed.count == 1, "a new user has nothing but the welcome: \(welcomed)")
            let welcome = try #require(welcomes.first, "a user.registered notification: \(welcomed)")
            #expect(UUID(uuidString: welcome.id) != nil, "the id is a UUID: \(welcome)")
            #expect(!welcome.subject.isEmpty && !welcome.body.isEmpty, "a subject and a body: \(welcome)")
            #expect(Self.isTimestamp(welcome.createdAt), "createdAt is an ISO 8601 time: \(welcome)")
            #expect(welcome.readAt == nil, "unread: \(welcome)")

            // The page's shape: readAt present (null), nextCursor present.
            let raw = try await stack.http.send(.GET, stack.url(Self.notificationsPath), headers: [bearer(session.accessToken)])
            #expect(raw.status == 200, "\(raw.text)")
            let page = try raw.jsonObject()
            #expect(page.keys.contains("nextCursor"), "the page has nextCursor: \(raw.text)")
            let firstItem = (page["items"] as? [[String: Any]])?.first
            #expect(firstItem?["readAt"] is NSNull, "readAt is present and null while unread: \(raw.text)")

            // Once nothing is in flight, no second welcome can come.
            try await EventSettling.awaitSettled()
            let later = try await Self.notices(stack, session)
            #expect(later.filter { $0.type == "user.registered" }.count == 1, "still exactly one welcome once nothing is in flight: \(later)")

            // Only the owner marks it read; anyone else's id is a 404.
            let readPath = "\(Self.notificationsPath)/\(welcome.id)/read"
            let stranger = try await Session.register(stack, name: "Nosy Stranger", waitForProfile: false)
            let foreign = try await stack.http.send(.POST, stack.url(readPath), headers: [bearer(stranger.accessToken)])
            expectProblem(foreign, status: 404, path: readPath)
            let unknownPath = "\(Self.notificationsPath)/\(UUID().uuidString.lowercased())/read"
            let unknown = try await stack.http.send(.POST, stack.url(unknownPath), headers: [bearer(session.accessToken)])
            expectProblem(unknown, status: 404, path: unknownPath)

            let read = try await stack.http.send(.POST, stack.url(readPath), headers: [bearer(session.accessToken)])
            #expect(read.status == 200, "\(read.text)")
            let marked = try? read.jsonObject()
            #expect(sameID(marked?["id"] as? String, welcome.id), "the answer is the notification: \(read.text)")
            #expect(Self.isTimestamp(marked?["readAt"]), "readAt is set: \(read.text)")
            let afterRead = try await Self.notices(stack, session)
            let reread = afterRead.first { sameID($0.id, welcome.id) }
            #expect(reread?.readAt != nil, "the list shows it read: \(afterRead)")
            let strangers = try await Self.notices(stack, stranger)
            #expect(!strangers.contains { sameID($0.id, welcome.id) }, "never in another user's list: \(strangers)")
        }

        @Test("A confirmed order notifies its owner once (order.confirmed); a declined one, payment.declined and order.cancelled")
        func orderOutcomesNotify() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10, price: 1999)
            let (buyer, approving) = try await Self.customer(stack, card: .approves, name: "Happy Buyer")
            let (unlucky, declining) = try await Self.customer(stack, card: .declined, name: "Unlucky Buyer")

            let good = try await Orders.place(stack, buyer, items: [OrderItem(productId: product.id, quantity: 2)], methodId: approving)
            let bad = try await Orders.place(stack, unlucky, items: [OrderItem(productId: product.id, quantity: 1)], methodId: declining)
            let confirmed = try await Orders.awaitFinal(stack, buyer, good.id)
            try #require(confirmed.status == "confirmed", "the approving card's order confirms: \(confirmed.outcome)")
            let cancelled = try await Orders.awaitFinal(stack, unlucky, bad.id)
            try #require(cancelled.outcome == "cancelled/payment_declined", "the declined card's order is cancelled: \(cancelled.outcome)")

            _ = try await Self.awaitNotices(stack, buyer, timeout: .seconds(15)) { notices in
                Self.count(notices, "order.confirmed", about: good.id) >= 1
            }
            _ = try await Self.awaitNotices(stack, unlucky, timeout: .seconds(15)) { notices in
                Self.count(notices, "payment.declined", about: bad.id) >= 1 && Self.count(notices, "order.cancelled", about: bad.id) >= 1
            }
            // Once nothing is in flight, no duplicate can come.
            try await EventSettling.awaitSettled()

            let buyers = try await Self.notices(stack, buyer)
            #expect(Self.count(buyers, "order.confirmed", about: good.id) == 1, "exactly one order.confirmed for \(good.id): \(buyers)")
            #expect(
                !buyers.contains { ["payment.declined", "order.cancelled"].contains($0.type) },
                "nothing about a failure for the confirmed order: \(buyers)"
            )
            #expect(!buyers.contains { $0.mentions(bad.id) }, "nothing about another user's order: \(buyers)")

            let unluckys = try await Self.notices(stack, unlucky)
            #expect(Self.count(unluckys, "payment.declined", about: bad.id) == 1, "exactly one payment.declined for \(bad.id): \(unluckys)")
            #expect(Self.count(unluckys, "order.cancelled", about: bad.id) == 1, "exactly one order.cancelled for \(bad.id): \(unluckys)")
            #expect(!unluckys.contains { $0.type == "order.confirmed" }, "no order.confirmed for a cancelled order: \(unluckys)")
            #expect(!unluckys.contains { $0.mentions(good.id) }, "nothing about another user's order: \(unluckys)")
        }

        // MARK: Failures

        @Test("SIGKILL notification while 20 orders confirm: after a restart each order has exactly one order.confirmed")
        func notificationCatchesUpAfterACrash() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 100, price: 500)
            var customers: [(session: Session, methodId: String)] = []
            for index in 0..<3 {
                customers.append(try await Self.customer(stack, card: .approves, name: "Patient \(index)"))
            }

            let notification = try stack.process("notification")
            #expect(notification.isRunning, "notification runs before the kill")
            notification.terminate(signal: SIGKILL)
            let exitStatus = await notification.waitForExit(timeout: .seconds(10))
            #expect(
                exitStatus != nil && notification.exitedBySignal,
                "notification died from SIGKILL (status \(exitStatus.map(String.init) ?? "still running"))"
            )

            let placed: [(session: Session, id: String)]
            let finished: [String: ShopOrder]
            do {
                placed = try await withThrowingTaskGroup(of: (session: Session, id: String).self) { group in
                    for index in 0..<20 {
                        let customer = customers[index % customers.count]
                        let items = [OrderItem(productId: product.id, quantity: 1 + index % 2)]
                        group.addTask {
                            let order = try await Orders.place(stack, customer.session, items: items, methodId: customer.methodId)
                            return (session: customer.session, id: order.id)
                        }
                    }
                    var placed: [(session: Session, id: String)] = []
                    for try await entry in group {
                        placed.append(entry)
                    }
                    return placed
                }
                finished = try await Orders.awaitAllFinal(stack, placed, timeout: .seconds(90))
            } catch {
                try? await stack.restore("notification")
                throw error
            }
            try await stack.restore("notification")

            let outcomes = placed.map { finished[$0.id]?.outcome ?? "?" }
            try #require(outcomes.allSatisfy { $0 == "confirmed" }, "all 20 orders confirm without notification: \(outcomes)")

            // Within 30 s of the restart every order has its notification...
            let owners = Dictionary(grouping: placed, by: \.session.id)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            var missing: [String] = []
            repeat {
                missing = []
                for entries in owners.values {
                    guard let session = entries.first?.session else { continue }
                    let notices = try await Self.notices(stack, session)
                    missing += entries.filter { Self.count(notices, "order.confirmed", about: $0.id) == 0 }.map(\.id)
                }
                if missing.isEmpty { break }
                try await Task.sleep(for: .milliseconds(250))
            } while ContinuousClock.now < deadline
            #expect(missing.isEmpty, "\(missing.count) of 20 orders have no order.confirmed 30 s after the restart: \(missing)")

            // ... and exactly one, with no extra ones for the same customer, once nothing is in flight.
            try await EventSettling.awaitSettled()
            for entries in owners.values {
                guard let session = entries.first?.session else { continue }
                let notices = try await Self.notices(stack, session)
                for entry in entries {
                    let count = Self.count(notices, "order.confirmed", about: entry.id)
                    #expect(count <= 1, "order \(entry.id) has \(count) order.confirmed notifications: \(notices)")
                }
                let confirmations = notices.filter { $0.type == "order.confirmed" }
                #expect(
                    confirmations.count == entries.count,
                    "\(session.email) placed \(entries.count) orders and has \(confirmations.count) order.confirmed: \(confirmations)"
                )
            }
        }

        @Test("Poison events on events:order are dead-lettered, the consumer goes on; redrive replays one; customers get 403")
        func poisonEventsAreDeadLettered() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await Self.customer(stack, card: .approves, name: "Poison Bystander")

            // An envelope that reads but whose data is not an order, and one that is not JSON at all.
            let poisonId = UUID().uuidString.lowercased()
            let envelope: [String: Any] = [
                "id": poisonId,
                "type": "order.confirmed",
                "version": 1,
                "source": "order",
                "occurredAt": ISO8601DateFormatter().string(from: Date()),
                "subject": UUID().uuidString.lowercased(),
                "data": ["nonsense": true],
            ]
            let envelopeJSON = try canonicalJSON(envelope)
            let malformedEntry = try RedisControl.xadd(Self.orderStream, fields: [("type", "order.confirmed"), ("envelope", envelopeJSON)])
            let unreadableEntry = try RedisControl.xadd(Self.orderStream, fields: [("type", "order.confirmed"), ("envelope", "not json")])

            // A real order after the poison still gets its notification.
            let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)

            let letters = try await Self.awaitDeadLetters(stack, admin, timeout: .seconds(15)) { letters in
                [malformedEntry, unreadableEntry].allSatisfy { entry in
                    letters.contains { $0.entry == entry && $0.stream == Self.orderStream }
                }
            }
            let malformed = try #require(
                letters.first { $0.entry == malformedEntry && $0.stream == Self.orderStream },
                "the malformed-data event \(malformedEntry) is dead-lettered within 15 s: \(letters)"
            )
            let unreadable = try #require(
                letters.first { $0.entry == unreadableEntry && $0.stream == Self.orderStream },
                "the unreadable envelope \(unreadableEntry) is dead-lettered within 15 s: \(letters)"
            )
            #expect(sameID(malformed.event?.id, poisonId), "the dead letter carries the event: \(malformed)")
            #expect(malformed.event?.type == "order.confirmed", "\(malformed)")
            #expect(!malformed.error.isEmpty && malformed.deliveries >= 1, "why and after how many deliveries: \(malformed)")
            #expect(unreadable.event == nil, "an envelope that is not JSON has no event: \(unreadable)")
            #expect(!unreadable.error.isEmpty && unreadable.deliveries >= 1, "why and after how many deliveries: \(unreadable)")
            #expect(letters.filter { sameID($0.event?.id, poisonId) }.count == 1, "dead-lettered once: \(letters)")

            let confirmed = try await Orders.awaitFinal(stack, session, order.id)
            try #require(confirmed.status == "confirmed", "\(confirmed.outcome)")
            let notices = try await Self.awaitNotices(stack, session, timeout: .seconds(15)) { notices in
                Self.count(notices, "order.confirmed", about: order.id) >= 1
            }
            #expect(Self.count(notices, "order.confirmed", about: order.id) == 1, "the consumer went on past the poison: \(notices)")

            // Customers may neither list nor redrive.
            let redrivePath = "\(Self.deadLettersPath)/\(malformed.id)/redrive"
            let listAsCustomer = try await stack.http.send(.GET, stack.url(Self.deadLettersPath), headers: [bearer(session.accessToken)])
            expectProblem(listAsCustomer, status: 403, path: Self.deadLettersPath)
            let redriveAsCustomer = try await stack.http.send(.POST, stack.url(redrivePath), headers: [bearer(session.accessToken)])
            expectProblem(redriveAsCustomer, status: 403, path: redrivePath)
            let stillThere = try await Self.deadLetters(stack, admin)
            #expect(stillThere.contains { $0.id == malformed.id }, "a refused redrive changes nothing: \(stillThere)")

            // Unknown and malformed dead-letter ids are 404s.
            for id in ["0-1", "not-an-id"] {
                let path = "\(Self.deadLettersPath)/\(id)/redrive"
                let response = try await stack.http.send(.POST, stack.url(path), headers: [bearer(admin.accessToken)])
                expectProblem(response, status: 404, path: path)
            }

            // Redrive: back on its stream as a new entry, gone from the dead letters; still poison, so dead-lettered anew.
            let redrive = try await stack.http.send(.POST, stack.url(redrivePath), headers: [bearer(admin.accessToken)])
            #expect(redrive.status == 200, "\(redrive.text)")
            let redriven = try decodeBody(Redriven.self, redrive, what: "POST \(redrivePath)")
            #expect(redriven.id == malformed.id && redriven.stream == Self.orderStream, "\(redrive.text)")
            #expect(!redriven.entry.isEmpty && redriven.entry != malformedEntry, "a new entry on the stream: \(redrive.text)")
            let replayed = try RedisControl.xrange(Self.orderStream, from: redriven.entry, to: redriven.entry)
            #expect(replayed.first?.fields["envelope"] == envelopeJSON, "the same envelope is on \(Self.orderStream): \(replayed)")
            #expect(replayed.first?.fields["type"] == "order.confirmed", "with its type: \(replayed)")
            let afterRedrive = try await Self.deadLetters(stack, admin)
            #expect(!afterRedrive.contains { $0.id == malformed.id }, "the redriven letter is gone: \(afterRedrive)")
            #expect(afterRedrive.contains { $0.id == unreadable.id }, "the other letter stays: \(afterRedrive)")

            let again = try await Self.awaitDeadLetters(stack, admin, timeout: .seconds(15)) { letters in
                letters.contains { $0.entry == redriven.entry }
            }
            let returned = again.filter { sameID($0.event?.id, poisonId) }
            #expect(returned.count == 1, "the event is a dead letter again, once, within 15 s: \(again)")
            #expect(returned.first?.entry == redriven.entry && returned.first?.id != malformed.id, "a new dead letter: \(returned)")
        }

        @Test("Redis restarted right after 5 orders: all confirm and each gets exactly one order.confirmed within 45 s")
        func redisRestartLosesNothing() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 20, price: 800)
            let first = try await Self.customer(stack, card: .approves, name: "Restart One")
            let second = try await Self.customer(stack, card: .approves, name: "Restart Two")

            var placed: [(session: Session, id: String)] = []
            for index in 0..<5 {
                let customer = index.isMultiple(of: 2) ? first : second
                let items = [OrderItem(productId: product.id, quantity: 1)]
                let order = try await Orders.place(stack, customer.session, items: items, methodId: customer.methodId)
                placed.append((session: customer.session, id: order.id))
            }
            let lengthBefore = try RedisControl.xlen(Self.orderStream)
            do {
                try await RedisControl.restart()
            } catch {
                try? await RedisControl.ensureRunning()
                throw error
            }
            #expect(RedisControl.ping(), "Redis answers after its restart")
            let lengthAfter = try RedisControl.xlen(Self.orderStream)
            #expect(lengthAfter >= lengthBefore, "the streams survive the restart (AOF): \(lengthBefore) entries before, \(lengthAfter) after")

            do {
                let finished = try await Orders.awaitAllFinal(stack, placed, timeout: .seconds(60))
                let outcomes = placed.map { finished[$0.id]?.outcome ?? "?" }
                #expect(outcomes.allSatisfy { $0 == "confirmed" }, "every order confirms across the restart: \(outcomes)")

                let owners = Dictionary(grouping: placed, by: \.session.id)
                let deadline = ContinuousClock.now.advanced(by: .seconds(45))
                var missing: [String] = []
                repeat {
                    missing = []
                    for entries in owners.values {
                        guard let session = entries.first?.session else { continue }
                        let notices = try await Self.notices(stack, session)
                        missing += entries.filter { Self.count(notices, "order.confirmed", about: $0.id) == 0 }.map(\.id)
                    }
                    if missing.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(250))
                } while ContinuousClock.now < deadline
                #expect(missing.isEmpty, "orders without an order.confirmed 45 s after the restart: \(missing)")

                try await EventSettling.awaitSettled()
                for entries in owners.values {
                    guard let session = entries.first?.session else { continue }
                    let notices = try await Self.notices(stack, session)
                    for entry in entries {
                        let count = Self.count(notices, "order.confirmed", about: entry.id)
                        #expect(count <= 1, "order \(entry.id) has \(count) order.confirmed notifications: \(notices)")
                    }
                }
            } catch {
                try? await Self.restoreDeadProcesses(stack)
                throw error
            }

            // No process may die of a Redis restart; whatever did is brought back for the next tests.
            for name in Stack.allNames {
                #expect(try stack.process(name).isRunning, "\(name) survives a Redis restart")
            }
            try await Self.restoreDeadProcesses(stack)
            try await stack.waitUntilReady(Stack.allNames, deadline: ContinuousClock.now.advanced(by: .seconds(30)))
        }

        // MARK: Webhooks

        @Test("A webhook receives the owner's order.confirmed, signed with its secret (HMAC-SHA256 of t.body)")
        func webhookDeliveryIsSigned() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5, price: 4321)
            let (session, methodId) = try await Self.customer(stack, card: .approves, name: "Hook Owner")
            // The welcome comes before the webhook exists, so the receiver expects the order's notification only.
            let welcomed = try await Self.awaitNotices(stack, session, timeout: .seconds(10)) { $0.contains { $0.type == "user.registered" } }
            try #require(welcomed.contains { $0.type == "user.registered" }, "the welcome first: \(welcomed)")

            let receiver = try WebhookReceiver()
            do {
                let url = "\(receiver.baseURL)/hooks/signed"
                let created = try await Self.createWebhook(stack, session, url: url)
                let secret = created.secret

                let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
                let confirmed = try await Orders.awaitFinal(stack, session, order.id)
                try #require(confirmed.status == "confirmed", "\(confirmed.outcome)")

                let requests = await receiver.waitForRequests(1, timeout: .seconds(20))
                let request = try #require(requests.first, "the webhook is called within 20 s of the confirmation; errors: \(receiver.errors)")
                #expect(request.requestLine.hasPrefix("POST /hooks/signed "), "a POST to the registered path: \(request.headText)")
                #expect(request.values("Content-Type").first?.lowercased().hasPrefix("application/json") == true, "\(request.headText)")
                let deliveryId = request.values("X-Webhook-Id").first ?? ""
                #expect(!deliveryId.isEmpty, "an X-Webhook-Id: \(request.headText)")

                let signature = try #require(request.values("X-Signature").first, "an X-Signature: \(request.headText)")
                let parts = try #require(WebhookSignatureCheck.parts(signature), "X-Signature is t=<seconds>,v1=<hex>: \(signature)")
                #expect(abs(parts.timestamp - Int64(Date().timeIntervalSince1970)) < 300, "t is about now: \(signature)")
                #expect(
                    WebhookSignatureCheck.verifies(signature, body: request.body, secret: secret),
                    "v1 is the lower-case hex HMAC-SHA256 of \"t.body\" keyed with the secret: \(signature)"
                )

                let payload = try #require(
                    try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
                    "the body is a JSON object: \(String(decoding: request.body, as: UTF8.self))"
                )
                let text = String(decoding: request.body, as: UTF8.self)
                #expect(payload["type"] as? String == "order.confirmed", "\(text)")
                #expect(sameID(payload["userId"] as? String, session.id), "the owner's id: \(text)")
                #expect((payload["eventId"] as? String).flatMap(UUID.init(uuidString:)) != nil, "the event's id: \(text)")
                #expect(Self.isTimestamp(payload["createdAt"]), "\(text)")
                #expect((payload["subject"] as? String)?.contains(Self.reference(order.id)) == true, "about the order: \(text)")
                #expect((payload["body"] as? String)?.isEmpty == false, "\(text)")
                let notices = try await Self.awaitNotices(stack, session, timeout: .seconds(10)) { notices in
                    Self.count(notices, "order.confirmed", about: order.id) >= 1
                }
                let notice = notices.first { $0.type == "order.confirmed" && $0.mentions(order.id) }
                #expect(sameID(payload["id"] as? String, notice?.id ?? "?"), "the id is the notification's: \(text) vs \(notices)")
                #expect(requests.allSatisfy { $0.body == request.body }, "only this notification is delivered: \(requests.count)")

                // The verifier is not a rubber stamp: another body, secret or timestamp fails.
                var longer = request.body
                longer.append(contentsOf: Array(" ".utf8))
                let forged = Data(text.replacingOccurrences(of: "order.confirmed", with: "order.cancelled").utf8)
                #expect(!WebhookSignatureCheck.verifies(signature, body: longer, secret: secret), "a changed body does not verify")
                #expect(!WebhookSignatureCheck.verifies(signature, body: forged, secret: secret), "a forged body does not verify")
                #expect(!WebhookSignatureCheck.verifies(signature, body: request.body, secret: secret + "x"), "another secret does not verify")
                let shifted = signature.replacingOccurrences(of: "t=\(parts.timestamp)", with: "t=\(parts.timestamp + 1)")
                #expect(!WebhookSignatureCheck.verifies(shifted, body: request.body, secret: secret), "another timestamp does not verify")
            } catch {
                await receiver.stop()
                throw error
            }
            await receiver.stop()
        }

        @Test("A webhook that answers 500 first is called again with the same X-Webhook-Id, and not after its 200")
        func webhookDeliveryIsRetried() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5)
            let (session, methodId) = try await Self.customer(stack, card: .approves, name: "Flaky Hook Owner")
            let welcomed = try await Self.awaitNotices(stack, session, timeout: .seconds(10)) { $0.contains { $0.type == "user.registered" } }
            try #require(welcomed.contains { $0.type == "user.registered" }, "the welcome first: \(welcomed)")

            let receiver = try WebhookReceiver(statuses: [500])
            do {
                let created = try await Self.createWebhook(stack, session, url: "\(receiver.baseURL)/hooks/flaky")
                let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
                let confirmed = try await Orders.awaitFinal(stack, session, order.id)
                try #require(confirmed.status == "confirmed", "\(confirmed.outcome)")

                // WEBHOOK_RETRY_INITIAL_SECONDS=0.2 in this stack: the second attempt follows within seconds.
                let attempts = await receiver.waitForRequests(2, timeout: .seconds(20))
                try #require(attempts.count >= 2, "a second attempt after the 500 within 20 s: \(attempts.count); errors: \(receiver.errors)")
                let ids = attempts.map { $0.values("X-Webhook-Id").first ?? "" }
                #expect(!ids[0].isEmpty && ids[0] == ids[1], "both attempts carry the same X-Webhook-Id: \(ids)")
                for (index, attempt) in attempts.prefix(2).enumerated() {
                    let signature = attempt.values("X-Signature").first ?? ""
                    #expect(
                        WebhookSignatureCheck.verifies(signature, body: attempt.body, secret: created.secret),
                        "attempt \(index + 1) is signed: \(signature)"
                    )
                }
                let payloads = attempts.prefix(2).map { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
                #expect(
                    payloads[0]?["id"] as? String != nil && payloads[0]?["id"] as? String == payloads[1]?["id"] as? String,
                    "the same notification both times: \(attempts.map { String(decoding: $0.body, as: UTF8.self) })"
                )
                #expect(payloads[1]?["type"] as? String == "order.confirmed", "\(attempts.map { String(decoding: $0.body, as: UTF8.self) })")

                // Delivered by the 200: once notification has recorded that, no third attempt can come.
                let webhookId = created.id
                let deadline = ContinuousClock.now + .seconds(15)
                var open = 1
                while open > 0, ContinuousClock.now < deadline {
                    open = try await ServiceDatabase.withClient("notification") { client in
                        let rows = try await client.query(
                            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = \(UUID(uuidString: webhookId) ?? UUID()) AND status = 'pending'",
                            logger: ServiceDatabase.logger
                        )
                        var count: Int64 = 0
                        for try await value in rows.decode(Int64.self) { count = value }
                        return Int(count)
                    }
                    if open > 0 { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(open == 0, "the delivery is recorded as done")
                #expect(receiver.requests.count == 2, "no attempt after the 200: \(receiver.requests.map(\.headText))")
            } catch {
                await receiver.stop()
                throw error
            }
            await receiver.stop()
        }

        // MARK: Helpers

        /// A notification as `GET /v1/notifications` lists it.
        private struct Notice: Decodable, Sendable, CustomStringConvertible {
            let id: String
            let type: String
            let subject: String
            let body: String
            let createdAt: String
            let readAt: String?

            /// Whether its words name the order (by the reference customers see).
            func mentions(_ orderId: String) -> Bool {
                let reference = EventBackboneTests.reference(orderId)
                return subject.contains(reference) || body.contains(reference)
            }

            var description: String { "\(type) \(id) '\(subject)'\(readAt == nil ? "" : " read")" }
        }

        private struct NoticePage: Decodable {
            let items: [Notice]
            let nextCursor: String?
        }

        /// One entry of `GET /v1/notifications/dead-letters`.
        private struct DeadLetter: Decodable, Sendable, CustomStringConvertible {
            struct Event: Decodable, Sendable {
                let id: String
                let type: String
            }

            let id: String
            let stream: String
            let entry: String
            let error: String
            let deliveries: Int
            let event: Event?

            var description: String { "\(id) \(stream)/\(entry) event \(event?.id ?? "-") ×\(deliveries): \(error.prefix(120))" }
        }

        private struct DeadLetterPage: Decodable {
            let items: [DeadLetter]
            let nextCursor: String?
        }

        /// The answer of a redrive.
        private struct Redriven: Decodable {
            let id: String
            let stream: String
            let entry: String
        }

        /// The answer of `POST /v1/notifications/webhooks`.
        private struct CreatedWebhook: Decodable {
            let id: String
            let url: String
            let secret: String
            let createdAt: String
        }

        /// The reference an order has in notification texts: the first eight characters of its id, upper case.
        static func reference(_ orderId: String) -> String {
            String(orderId.prefix(8)).uppercased()
        }

        /// A fresh customer with a payment method for `card`.
        private static func customer(_ stack: Stack, card: TestCard, name: String) async throws -> (session: Session, methodId: String) {
            let session = try await Session.register(stack, name: name)
            let methodId = try await PaymentMethods.add(stack, session, card: card)
            return (session, methodId)
        }

        /// Every notification of `session` (all pages, at most 20); throws unless each page is a 200.
        private static func notices(_ stack: Stack, _ session: Session) async throws -> [Notice] {
            var notices: [Notice] = []
            var cursor: String?
            for _ in 0..<20 {
                let query = "?limit=100" + (cursor.map { "&cursor=\(queryEscaped($0))" } ?? "")
                let response = try await stack.http.send(.GET, stack.url(notificationsPath + query), headers: [bearer(session.accessToken)])
                guard response.status == 200 else {
                    throw HarnessError("GET \(notificationsPath)\(query): expected 200, got \(response.status): \(response.text.prefix(500))")
                }
                let page = try decodeBody(NoticePage.self, response, what: "GET \(notificationsPath)\(query)")
                notices += page.items
                cursor = page.nextCursor
                if cursor == nil { return notices }
            }
            throw HarnessError("GET \(notificationsPath) did not end within 20 pages")
        }

        /// Polls `session`'s notifications every 200 ms until `done` holds or `timeout` passed; the last list.
        /// Non-200 answers are polled through (a restarted service may still be coming up) until the deadline.
        private static func awaitNotices(
            _ stack: Stack,
            _ session: Session,
            timeout: Duration,
            until done: ([Notice]) -> Bool
        ) async throws -> [Notice] {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            while true {
                let notices: [Notice]
                do {
                    notices = try await Self.notices(stack, session)
                } catch {
                    guard ContinuousClock.now < deadline else { throw error }
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                if done(notices) || ContinuousClock.now >= deadline { return notices }
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        /// How many of `notices` are of `type` and about the order.
        private static func count(_ notices: [Notice], _ type: String, about orderId: String) -> Int {
            notices.filter { $0.type == type && $0.mentions(orderId) }.count
        }

        /// `GET /v1/notifications/dead-letters` as `admin`; throws unless 200 with `nextCursor: null`.
        private static func deadLetters(_ stack: Stack, _ admin: Session) async throws -> [DeadLetter] {
            let response = try await stack.http.send(.GET, stack.url(deadLettersPath), headers: [bearer(admin.accessToken)])
            guard response.status == 200 else {
                throw HarnessError("GET \(deadLettersPath): expected 200, got \(response.status): \(response.text.prefix(500))")
            }
            let page = try decodeBody(DeadLetterPage.self, response, what: "GET \(deadLettersPath)")
            guard page.nextCursor == nil else {
                throw HarnessError("GET \(deadLettersPath): nextCursor should be null: \(response.text.prefix(500))")
            }
            return page.items
        }

        /// Polls the dead letters every 200 ms until `done` holds or `timeout` passed; the last list.
        private static func awaitDeadLetters(
            _ stack: Stack,
            _ admin: Session,
            timeout: Duration,
            until done: ([DeadLetter]) -> Bool
        ) async throws -> [DeadLetter] {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            while true {
                let letters = try await deadLetters(stack, admin)
                if done(letters) || ContinuousClock.now >= deadline { return letters }
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        /// `POST /v1/notifications/webhooks {url}`; expects 201 with the contract's members, throws unless 201.
        private static func createWebhook(_ stack: Stack, _ session: Session, url: String) async throws -> CreatedWebhook {
            let path = "\(notificationsPath)/webhooks"
            let response = try await stack.http.send(
                .POST,
                stack.url(path),
                json: try canonicalJSON(["url": url]),
                headers: [bearer(session.accessToken)]
            )
            guard response.status == 201 else {
                throw HarnessError("POST \(path): expected 201, got \(response.status): \(response.text.prefix(500))")
            }
            let created = try decodeBody(CreatedWebhook.self, response, what: "POST \(path)")
            #expect(UUID(uuidString: created.id) != nil, "the webhook's id is a UUID: \(response.text)")
            #expect(created.url == url, "the URL as given: \(response.text)")
            #expect(created.secret.count >= 32, "a long secret, shown once: \(response.text)")
            #expect(isTimestamp(created.createdAt), "createdAt: \(response.text)")
            return created
        }

        private static func isTimestamp(_ value: Any?) -> Bool {
            guard let text = value as? String else { return false }
            let formatter = ISO8601DateFormatter()
            if formatter.date(from: text) != nil { return true }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text) != nil
        }

        /// Restarts every stack process that is not running (each waits until the gateway sees all up).
        private static func restoreDeadProcesses(_ stack: Stack) async throws {
            for name in Stack.allNames where !(try stack.process(name).isRunning) {
                try await stack.restore(name)
            }
        }
    }
}
