import Contracts
import Foundation
import ServiceKit

/// A notification about to be created from an event: whom it is for and what it says.
struct NotificationDraft: Sendable, Equatable {
    /// The event that caused it; with `userID`, unique.
    var eventID: UUID
    var userID: UUID
    /// The event type.
    var type: String
    var subject: String
    var body: String

    /// The event types that notify a user.
    static let eventTypes: Set<String> = [
        EventType.userRegistered, EventType.orderConfirmed, EventType.orderCancelled, EventType.paymentDeclined,
    ]

    /// The notification an event calls for. Throws ``PoisonEvent`` for an event that can never
    /// become one (an unknown version or type, a payload that does not decode), so it is
    /// dead-lettered at once instead of retried.
    init(event: EventEnvelope) throws {
        guard Self.eventTypes.contains(event.type) else { throw PoisonEvent(reason: "\(event.type) is not a notification event") }
        guard event.version == 1 else { throw PoisonEvent(reason: "\(event.type) version \(event.version) is not known") }
        let userID: UUID
        let text: NotificationText
        switch event.type {
        case EventType.userRegistered:
            let registered = try Self.payload(UserRegistered.self, of: event)
            (userID, text) = (registered.userId, .welcome(registered))
        case EventType.orderConfirmed:
            let order = try Self.payload(OrderEventPayload.self, of: event)
            (userID, text) = (order.userId, .orderConfirmed(order))
        case EventType.orderCancelled:
            let order = try Self.payload(OrderEventPayload.self, of: event)
            (userID, text) = (order.userId, .orderCancelled(order))
        default:
            let payment = try Self.payload(PaymentEventPayload.self, of: event)
            (userID, text) = (payment.userId, .paymentDeclined(payment))
        }
        self.init(eventID: event.id, userID: userID, type: event.type, subject: text.subject, body: text.body)
    }

    init(eventID: UUID, userID: UUID, type: String, subject: String, body: String) {
        self.eventID = eventID
        self.userID = userID
        self.type = type
        self.subject = subject
        self.body = body
    }

    private static func payload<Payload: Decodable>(_ type: Payload.Type, of event: EventEnvelope) throws -> Payload {
        do {
            return try event.payload(as: type)
        } catch {
            throw PoisonEvent(reason: "\(event.type) payload does not decode: \(error)")
        }
    }
}
