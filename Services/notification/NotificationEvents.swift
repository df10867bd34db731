import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Turns `user.registered`, `order.confirmed`, `order.cancelled` and `payment.declined` into
/// one notification per event and user, plus one pending webhook delivery per webhook of that
/// user, all in the consumer's inbox transaction.
struct NotificationEvents: EventHandler {
    let notifications: NotificationRepository
    let deliveries: WebhookDeliveryRepository

    var eventTypes: Set<String> { NotificationDraft.eventTypes }

    func handle(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws {
        let draft = try NotificationDraft(event: event)
        guard let id = try await self.notifications.insert(draft, on: connection, logger: logger) else {
            logger.debug("notification already exists", metadata: ["user.id": "\(draft.userID)"])
            return
        }
        let scheduled = try await self.deliveries.schedule(notification: id, owner: draft.userID, on: connection, logger: logger)
        logger.info(
            "notification created",
            metadata: ["notification.id": "\(id)", "user.id": "\(draft.userID)", "webhook.deliveries": "\(scheduled)"]
        )
    }
}
