import Contracts
import Foundation
import Logging

/// Publishes outbox messages to this service's Redis stream (`events:<service>`), as the
/// envelope JSON in the field `envelope`, trimming the stream to about `maxLength` entries.
public struct RedisStreamPublisher: OutboxPublisher {
    let redis: RedisClient
    let source: String
    let maxLength: Int

    public init(redis: RedisClient, source: String, maxLength: Int = 100_000) {
        self.redis = redis
        self.source = source
        self.maxLength = maxLength
    }

    /// The stream a service publishes to.
    public static func stream(of service: String) -> String { "events:\(service)" }

    public func publish(_ message: OutboxMessage, logger: Logger) async throws {
        let envelope = EventEnvelope(
            id: message.id,
            type: message.type,
            version: message.version,
            source: self.source,
            occurredAt: message.occurredAt,
            subject: message.subject,
            correlationId: message.correlationId,
            traceparent: message.traceparent,
            data: try EventCoding.decoder().decode(JSONValue.self, from: Data(message.payload.utf8))
        )
        let json = String(decoding: try EventCoding.encoder().encode(envelope), as: UTF8.self)
        try await self.redis.send(
            "XADD",
            RedisArgument(Self.stream(of: self.source)),
            "MAXLEN",
            "~",
            RedisArgument(String(self.maxLength)),
            "*",
            "type",
            RedisArgument(message.type),
            "envelope",
            RedisArgument(json)
        )
    }
}
