import Contracts
import Foundation
import Logging

/// Publishes outbox messages to this service's Redis stream (`events:<service>`), as the
/// envelope JSON in the field `envelope`.
///
/// The stream is never trimmed here: ``StreamTrimmer`` removes only what every consumer group
/// is done with.
public struct RedisStreamPublisher: OutboxPublisher {
    let redis: RedisClient
    let source: String

    public init(redis: RedisClient, source: String) {
        self.redis = redis
        self.source = source
    }

    /// The stream a service publishes to.
    public static func stream(of service: String) -> String { "events:\(service)" }

    /// Sends one `XADD` per message, all in one pipeline (one round trip); Redis appends them in
    /// the order given.
    public func publish(_ messages: [OutboxMessage], logger: Logger) async throws -> [Result<Void, any Error>] {
        var outcomes: [Result<Void, any Error>] = []
        var commands: [[RedisArgument]] = []
        var sent: [Int] = []
        for (index, message) in messages.enumerated() {
            do {
                commands.append(try self.command(for: message))
                sent.append(index)
                outcomes.append(.success(()))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        let replies = try await self.redis.pipeline(commands)
        guard replies.count == commands.count else {
            throw RedisClientError.protocolError("\(replies.count) replies to \(commands.count) pipelined commands")
        }
        for (index, reply) in zip(sent, replies) {
            if let message = reply.errorMessage { outcomes[index] = .failure(RedisClientError.server(message)) }
        }
        return outcomes
    }

    /// Publishes one message (its own round trip).
    public func publish(_ message: OutboxMessage, logger: Logger) async throws {
        for outcome in try await self.publish([message], logger: logger) { try outcome.get() }
    }

    private func command(for message: OutboxMessage) throws -> [RedisArgument] {
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
        return ["XADD", RedisArgument(Self.stream(of: self.source)), "*", "type", RedisArgument(message.type), "envelope", RedisArgument(json)]
    }
}
