import Foundation
import ServiceKit

/// One delivery claimed by the worker: a notification to POST to one webhook. Holds the
/// webhook's secret (sealed, unless its row predates encryption), so it is never logged as a whole.
struct WebhookDelivery: Sendable {
    var id: UUID
    var webhookID: UUID
    /// This attempt's number, from 1.
    var attempt: Int
    var url: String
    var secret: StoredWebhookSecret
    var payload: WebhookPayload
}

/// The JSON body of a delivery: the notification with its owner and the event that caused it.
struct WebhookPayload: Codable, Sendable, Equatable {
    /// The notification's id.
    var id: UUID
    var type: String
    var subject: String
    var body: String
    var createdAt: Date
    var userId: UUID
    var eventId: UUID
}

/// What happens to a delivery after a failed attempt.
enum DeliveryRetry: Sendable, Equatable {
    /// Try again after this wait.
    case retry(after: Duration)
    /// Out of attempts: give up (dead-lettered).
    case dead

    /// The fate of a delivery whose `attempt`-th attempt failed.
    static func after(attempt: Int, settings: WebhookSettings) -> Self {
        attempt >= settings.maxAttempts ? .dead : .retry(after: settings.retry.delay(afterAttempt: attempt))
    }
}
