import Foundation
import Testing

extension ShopStackSuite {
    /// API10:2023 Unsafe Consumption of APIs: the shop reads the answers of servers it does not
    /// control when it delivers webhooks. A hostile receiver tries to exhaust, stall or confuse
    /// notification; each attempt must end as a recorded failure (or a bounded read), with
    /// notification still serving.
    @Suite("Attacks: unsafe consumption of APIs (API10)")
    struct UnsafeConsumptionAttackTests {
        /// More than any webhook answer deserves, and more than the kernel buffers on loopback.
        private static let hugeAnswer = 64 * 1024 * 1024

        @Test("Answers a webhook delivery with 64 MB to exhaust notification's memory")
        func answersWithAHugeBody() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let receiver = try WebhookReceiver(replies: [], otherwise: .hugeBody(bytes: Self.hugeAnswer))
            try await receiver.whileServing {
                let webhook = try await Attack.webhook(stack, session, url: receiver.baseURL + "/hook")
                try await WebhookAttack.notify(stack, session)
                let delivery = try await WebhookAttack.awaitDelivery(webhook: webhook.id, "answered 200") { $0.lastStatusCode == 200 }
                #expect(delivery.status == "delivered", "a 2xx answer is a delivery: \(delivery)")
            }
            #expect(receiver.bodyBytesSent < Self.hugeAnswer, "notification stopped reading: \(receiver.bodyBytesSent) bytes were sent")
            try await WebhookAttack.expectNotificationReady(stack)
        }

        @Test("Holds a webhook delivery open without ever answering, to stall the delivery worker")
        func neverAnswers() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let receiver = try WebhookReceiver(replies: [], otherwise: .silence)
            try await receiver.whileServing {
                let webhook = try await Attack.webhook(stack, session, url: receiver.baseURL + "/hook")
                try await WebhookAttack.notify(stack, session)
                // Each attempt ends at WEBHOOK_TIMEOUT_SECONDS and is recorded, then retried.
                let stalled = try await WebhookAttack.awaitDelivery(webhook: webhook.id, "timed out twice") {
                    $0.attempts >= 2 && $0.lastError != nil
                }
                #expect(stalled.status == "pending", "a receiver that never answers gets retries, not a delivery: \(stalled)")
                #expect(stalled.lastStatusCode == nil, "no status was ever read: \(stalled)")
                #expect(receiver.requests.count >= 2, "a new attempt after the timeout: \(receiver.requests.count)")
            }
            try await WebhookAttack.expectNotificationReady(stack)
        }

        @Test("Answers a webhook delivery with bytes that are not HTTP")
        func answersGarbage() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let receiver = try WebhookReceiver(replies: [], otherwise: .garbage)
            try await receiver.whileServing {
                let webhook = try await Attack.webhook(stack, session, url: receiver.baseURL + "/hook")
                try await WebhookAttack.notify(stack, session)
                let failed = try await WebhookAttack.awaitDelivery(webhook: webhook.id, "failed twice") {
                    $0.attempts >= 2 && $0.lastError != nil
                }
                #expect(failed.status == "pending", "garbage is a failed attempt, retried: \(failed)")
                #expect(failed.lastStatusCode == nil, "no status was read from garbage: \(failed)")
            }
            try await WebhookAttack.expectNotificationReady(stack)
        }
    }
}
