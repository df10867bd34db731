import Contracts
import Foundation
import ServiceKit
import Testing

/// The envelope on the wire: every field survives, payloads decode into their types, unknown
/// fields are tolerated and integers stay integers.
struct EventEnvelopeTests {
    private static let order = OrderEventPayload(
        orderId: UUID(),
        userId: UUID(),
        total: Money(amount: 1999, currency: "USD"),
        reason: "payment_declined"
    )

    @Test func roundTripsEveryField() throws {
        let envelope = try EventEnvelope(
            type: EventType.orderCancelled,
            source: "order",
            occurredAt: Date(timeIntervalSince1970: 1_795_000_000),
            subject: Self.order.orderId.uuidString,
            correlationId: "req-1",
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            payload: Self.order
        )
        let json = try EventCoding.encoder().encode(envelope)
        let decoded = try EventCoding.decoder().decode(EventEnvelope.self, from: json)
        #expect(decoded == envelope)
        #expect(try decoded.payload(as: OrderEventPayload.self) == Self.order)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""amount":1999"#), "minor units stay an integer: \(text)")
        #expect(text.contains(#""occurredAt":"2026-"#), "ISO 8601 time: \(text)")
        for key in ["id", "type", "version", "source", "occurredAt", "subject", "correlationId", "traceparent", "data"] {
            #expect(text.contains("\"\(key)\":"), "\(key) in \(text)")
        }
    }

    @Test func toleratesUnknownFieldsAndReadsOtherProducersJSON() throws {
        let id = UUID()
        let userID = UUID()
        let json = """
            {"id":"\(id.uuidString)","type":"user.registered","version":1,"source":"auth","occurredAt":"2026-11-25T10:00:00Z",
             "subject":"\(userID.uuidString)","extra":{"nested":[1,2,true,null]},
             "data":{"userId":"\(userID.uuidString)","email":"a@example.com","name":"A","registeredAt":"2026-11-25T10:00:00Z","future":42.5}}
            """
        let envelope = try EventCoding.decoder().decode(EventEnvelope.self, from: Data(json.utf8))
        #expect(envelope.id == id && envelope.correlationId == nil && envelope.traceparent == nil)
        let payload = try envelope.payload(as: UserRegistered.self)
        #expect(payload.userId == userID && payload.email == "a@example.com")
        guard case .object(let data) = envelope.data else {
            Issue.record("data is an object")
            return
        }
        #expect(data["future"] == .number(42.5))
    }

    @Test func aPayloadOfTheWrongShapeDoesNotDecode() throws {
        let envelope = try EventEnvelope(type: EventType.orderConfirmed, source: "order", subject: "x", payload: ["orderId": "not-a-uuid"])
        #expect(throws: DecodingError.self) { try envelope.payload(as: OrderEventPayload.self) }
    }

    @Test func jsonValuesKeepTheirKinds() throws {
        let json = #"[true,false,0,1,-7,2.5,"s",null,{"k":[1]}]"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(
            value
                == .array([
                    .bool(true), .bool(false), .integer(0), .integer(1), .integer(-7), .number(2.5), .string("s"), .null,
                    .object(["k": .array([.integer(1)])]),
                ])
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == json)
    }
}

/// Exponential backoff with jitter: doubles from the initial delay, capped, never below half.
struct BackoffTests {
    private let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))

    @Test func theCeilingDoublesUpToTheMaximum() {
        let ceilings = (1...8).map { self.backoff.ceiling(afterAttempt: $0) }
        #expect(
            ceilings == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2),
                .seconds(2), .seconds(2),
            ]
        )
        #expect(self.backoff.ceiling(afterAttempt: 0) == .milliseconds(100))
        #expect(self.backoff.ceiling(afterAttempt: 10_000) == .seconds(2), "no overflow for huge attempt counts")
    }

    @Test(arguments: 1...8)
    func theDelayIsBetweenHalfTheCeilingAndTheCeiling(attempt: Int) {
        let ceiling = self.backoff.ceiling(afterAttempt: attempt)
        for _ in 0..<200 {
            let delay = self.backoff.delay(afterAttempt: attempt)
            #expect(delay <= ceiling && delay >= ceiling / 2, "\(delay) for ceiling \(ceiling)")
        }
    }
}
