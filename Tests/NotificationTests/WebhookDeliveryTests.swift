import Foundation
import ServiceKit
import Testing

@testable import NotificationService

struct WebhookDeliveryTests {
    @Test func readsItsSettingsFromTheEnvironment() throws {
        let defaults = try WebhookSettings(settings: SettingsReader(environment: [:]))
        #expect(defaults == WebhookSettings())
        #expect(!defaults.allowPrivateHosts)
        #expect(defaults.pollInterval == .milliseconds(500))
        #expect(defaults.timeout == .seconds(5))
        #expect(defaults.retry == Backoff(initial: .seconds(1), maximum: .seconds(60)))
        #expect(defaults.maxAttempts == 8)
        let configured = try WebhookSettings(
            settings: SettingsReader(environment: [
                "WEBHOOK_ALLOW_PRIVATE_HOSTS": "true",
                "WEBHOOK_POLL_SECONDS": "0.1",
                "WEBHOOK_TIMEOUT_SECONDS": "2",
                "WEBHOOK_RETRY_INITIAL_SECONDS": "0.2",
                "WEBHOOK_RETRY_MAX_SECONDS": "3",
                "WEBHOOK_MAX_ATTEMPTS": "3",
            ])
        )
        #expect(
            configured
                == WebhookSettings(
                    allowPrivateHosts: true,
                    pollInterval: .milliseconds(100),
                    timeout: .seconds(2),
                    retry: Backoff(initial: .milliseconds(200), maximum: .seconds(3)),
                    maxAttempts: 3
                )
        )
        #expect(throws: ConfigurationError.self) { try WebhookSettings(settings: SettingsReader(environment: ["WEBHOOK_MAX_ATTEMPTS": "0"])) }
        #expect(throws: ConfigurationError.self) {
            try WebhookSettings(settings: SettingsReader(environment: ["WEBHOOK_ALLOW_PRIVATE_HOSTS": "maybe"]))
        }
    }

    @Test func failedAttemptsBackOffUntilTheLastIsDead() {
        let settings = WebhookSettings(retry: Backoff(initial: .seconds(1), maximum: .seconds(60)), maxAttempts: 8)
        for attempt in 1..<8 {
            guard case .retry(let wait) = DeliveryRetry.after(attempt: attempt, settings: settings) else {
                Issue.record("attempt \(attempt) should be retried")
                continue
            }
            let ceiling = settings.retry.ceiling(afterAttempt: attempt)
            #expect(wait <= ceiling && wait >= ceiling / 2)
        }
        #expect(DeliveryRetry.after(attempt: 8, settings: settings) == .dead)
        #expect(DeliveryRetry.after(attempt: 9, settings: settings) == .dead)
    }

    @Test func thePayloadIsTheNotificationWithItsOwnerAndEvent() throws {
        let payload = WebhookPayload(
            id: UUID(),
            type: "order.confirmed",
            subject: "Your order 1A2B3C4D is confirmed",
            body: "Thank you!",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000),
            userId: UUID(),
            eventId: UUID()
        )
        let json = try #require(try JSONSerialization.jsonObject(with: WireJSON.encoder().encode(payload)) as? [String: Any])
        #expect(Set(json.keys) == ["id", "type", "subject", "body", "createdAt", "userId", "eventId"])
        #expect(json["createdAt"] as? String == "2023-11-14T22:13:20Z")
    }
}
