import Contracts
import Foundation
import ServiceKit
import Testing

@testable import NotificationService

struct NotificationDraftTests {
    let userID = UUID()
    let orderID = UUID(uuidString: "1a2b3c4d-0000-4000-8000-000000000001") ?? UUID()

    @Test func userRegisteredBecomesAWelcome() throws {
        let payload = UserRegistered(userId: self.userID, email: "alice@example.com", name: "Alice", registeredAt: Date())
        let event = try EventEnvelope(type: EventType.userRegistered, source: "auth", subject: self.userID.uuidString, payload: payload)
        let draft = try NotificationDraft(event: event)
        #expect(draft.eventID == event.id)
        #expect(draft.userID == self.userID)
        #expect(draft.type == "user.registered")
        #expect(draft.subject == "Welcome to swift-shop, Alice!")
    }

    @Test func orderConfirmedIsForTheOrdersUser() throws {
        let payload = OrderEventPayload(orderId: self.orderID, userId: self.userID, total: Money(amount: 4200, currency: "USD"))
        let event = try EventEnvelope(type: EventType.orderConfirmed, source: "order", subject: self.orderID.uuidString, payload: payload)
        let draft = try NotificationDraft(event: event)
        #expect(draft.userID == self.userID)
        #expect(draft.type == "order.confirmed")
        #expect(draft.subject == "Your order 1A2B3C4D is confirmed")
        #expect(draft.body.contains("42.00 USD"))
    }

    @Test func orderCancelledCarriesItsReason() throws {
        let payload = OrderEventPayload(
            orderId: self.orderID,
            userId: self.userID,
            total: Money(amount: 4200, currency: "USD"),
            reason: "out_of_stock"
        )
        let event = try EventEnvelope(type: EventType.orderCancelled, source: "order", subject: self.orderID.uuidString, payload: payload)
        let draft = try NotificationDraft(event: event)
        #expect(draft.userID == self.userID)
        #expect(draft.type == "order.cancelled")
        #expect(draft.body.contains("out of stock"))
    }

    @Test func paymentDeclinedCarriesItsReason() throws {
        let payload = PaymentEventPayload(
            paymentId: UUID(),
            orderId: self.orderID,
            userId: self.userID,
            amount: Money(amount: 4200, currency: "USD"),
            declineReason: "insufficient_funds"
        )
        let event = try EventEnvelope(type: EventType.paymentDeclined, source: "payment", subject: self.orderID.uuidString, payload: payload)
        let draft = try NotificationDraft(event: event)
        #expect(draft.userID == self.userID)
        #expect(draft.type == "payment.declined")
        #expect(draft.body.contains("insufficient funds"))
    }

    @Test func unknownFieldsAreTolerated() throws {
        let data: JSONValue = .object([
            "orderId": .string(self.orderID.uuidString),
            "userId": .string(self.userID.uuidString),
            "total": .object(["amount": .integer(100), "currency": .string("USD")]),
            "somethingNew": .bool(true),
        ])
        let event = EventEnvelope(
            id: UUID(),
            type: EventType.orderConfirmed,
            version: 1,
            source: "order",
            occurredAt: Date(),
            subject: self.orderID.uuidString,
            data: data
        )
        #expect(try NotificationDraft(event: event).userID == self.userID)
    }

    @Test func aPayloadThatDoesNotDecodeIsPoison() throws {
        let event = EventEnvelope(
            id: UUID(),
            type: EventType.orderConfirmed,
            version: 1,
            source: "order",
            occurredAt: Date(),
            subject: self.orderID.uuidString,
            data: .object(["orderId": .string("not a uuid")])
        )
        #expect(throws: PoisonEvent.self) { try NotificationDraft(event: event) }
    }

    @Test func anUnknownVersionIsPoison() throws {
        let payload = UserRegistered(userId: self.userID, email: "alice@example.com", name: "Alice", registeredAt: Date())
        let event = try EventEnvelope(type: EventType.userRegistered, version: 2, source: "auth", subject: self.userID.uuidString, payload: payload)
        let error = #expect(throws: PoisonEvent.self) { try NotificationDraft(event: event) }
        #expect(error?.reason.contains("version 2") == true)
    }

    @Test func anEventThatNotifiesNobodyIsPoison() throws {
        let payload = OrderEventPayload(orderId: self.orderID, userId: self.userID, total: Money(amount: 1, currency: "USD"))
        let event = try EventEnvelope(type: EventType.orderPlaced, source: "order", subject: self.orderID.uuidString, payload: payload)
        #expect(throws: PoisonEvent.self) { try NotificationDraft(event: event) }
    }

    @Test func theHandlerActsOnExactlyTheNotifyingEvents() {
        #expect(NotificationDraft.eventTypes == ["user.registered", "order.confirmed", "order.cancelled", "payment.declined"])
    }
}
