import Foundation

/// The envelope of every event on the bus (ARCHITECTURE §7): who says what happened to which
/// entity, when, in which request, with the payload in `data`.
public struct EventEnvelope: Codable, Sendable, Equatable {
    /// Unique per event; consumers de-duplicate on it.
    public var id: UUID
    /// `user.registered`, `order.confirmed`, …
    public var type: String
    /// The payload's schema version; consumers accept the versions they know.
    public var version: Int
    /// The producing service.
    public var source: String
    public var occurredAt: Date
    /// The entity the event is about (a user id, an order id).
    public var subject: String
    /// The request id that caused the event, when there was one.
    public var correlationId: String?
    /// W3C trace context of the producing request, when there was one.
    public var traceparent: String?
    public var data: JSONValue

    public init(
        id: UUID,
        type: String,
        version: Int,
        source: String,
        occurredAt: Date,
        subject: String,
        correlationId: String? = nil,
        traceparent: String? = nil,
        data: JSONValue
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.source = source
        self.occurredAt = occurredAt
        self.subject = subject
        self.correlationId = correlationId
        self.traceparent = traceparent
        self.data = data
    }

    /// Wraps a payload.
    public init<Payload: Encodable>(
        id: UUID = UUID(),
        type: String,
        version: Int = 1,
        source: String,
        occurredAt: Date = Date(),
        subject: String,
        correlationId: String? = nil,
        traceparent: String? = nil,
        payload: Payload
    ) throws {
        let data = try EventCoding.decoder().decode(JSONValue.self, from: try EventCoding.encoder().encode(payload))
        self.init(
            id: id,
            type: type,
            version: version,
            source: source,
            occurredAt: occurredAt,
            subject: subject,
            correlationId: correlationId,
            traceparent: traceparent,
            data: data
        )
    }

    /// The payload as a concrete type; unknown fields are ignored.
    public func payload<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        try EventCoding.decoder().decode(Payload.self, from: try EventCoding.encoder().encode(self.data))
    }
}

/// JSON coding of events: ISO 8601 dates, sorted keys.
public enum EventCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
