import Contracts
import Foundation
import ServiceKit
import Testing

/// Integers travel through `JSONValue` (every event's `data`) exactly: no `Double` in between.
struct JSONValueTests {
    private static func value(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    private static func text(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: [
        "9007199254740993",  // 2^53 + 1: the first integer a Double cannot hold
        "9223372036854775807",  // Int64.max
        "-9223372036854775808",  // Int64.min
        "1000000000000",
        "9000000000000000001",
    ])
    func integersOf64BitsAreExact(_ json: String) throws {
        let value = try Self.value(json)
        #expect(value == .integer(Int64(json) ?? 0))
        #expect(try Self.text(value) == json)
    }

    @Test func fractionsAndHugeNumbersAreDoubles() throws {
        #expect(try Self.value("2.5") == .number(2.5))
        #expect(try Self.value("1e30") == .number(1e30))
        #expect(try Self.value("99999999999999999999") == .number(1e20))
    }

    @Test func aWholeDoubleIsWrittenAsAnInteger() throws {
        #expect(try Self.text(.number(3)) == "3")
        #expect(try Self.text(.number(-1e15)) == "-1000000000000000")
        #expect(try Self.text(.number(2.5)) == "2.5")
    }

    @Test func moneyInAnEventEnvelopeKeepsEveryDigit() throws {
        for amount in [Int64.max, 9_007_199_254_740_993, Money.maximumAmount, 1] {
            let payload = OrderEventPayload(orderId: UUID(), userId: UUID(), total: Money(amount: amount, currency: "USD"))
            let envelope = try EventEnvelope(type: EventType.orderPlaced, source: "order", subject: "s", payload: payload)
            let wire = try EventCoding.encoder().encode(envelope)
            #expect(String(decoding: wire, as: UTF8.self).contains(#""amount":\#(amount)"#))
            let decoded = try EventCoding.decoder().decode(EventEnvelope.self, from: wire)
            #expect(try decoded.payload(as: OrderEventPayload.self).total.amount == amount)
        }
    }

    @Test func theOutboxTextOfAPayloadKeepsEveryDigit() throws {
        // The relay reads the stored payload text back into a JSONValue before publishing.
        let stored = #"{"amount":{"amount":9007199254740993,"currency":"USD"}}"#
        let data = try EventCoding.decoder().decode(JSONValue.self, from: Data(stored.utf8))
        #expect(try Self.text(data) == stored)
    }
}
