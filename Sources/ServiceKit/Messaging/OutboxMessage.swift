import Foundation
import Logging

/// One event waiting in a service's `outbox` table.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    public var type: String
    /// The payload's schema version.
    public var version: Int
    /// The entity the event is about (an account id, an order id).
    public var subject: String
    /// The event's data, JSON text.
    public var payload: String
    public var occurredAt: Date
    /// The request id that caused the event.
    public var correlationId: String?
    public var traceparent: String?
    /// Failed deliveries so far.
    public var attempts: Int

    public init(
        id: UUID,
        type: String,
        version: Int = 1,
        subject: String,
        payload: String,
        occurredAt: Date,
        correlationId: String? = nil,
        traceparent: String? = nil,
        attempts: Int = 0
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.subject = subject
        self.payload = payload
        self.occurredAt = occurredAt
        self.correlationId = correlationId
        self.traceparent = traceparent
        self.attempts = attempts
    }
}

/// Delivers outbox messages somewhere; must be idempotent per message id, since a crash
/// between delivering and marking sent delivers again.
public protocol OutboxPublisher: Sendable {
    /// Delivers `messages` together (in one round trip where the transport allows), in the
    /// order given, and answers one outcome per message in that order. Throws when the outcome
    /// of all of them is unknown (the connection broke): they count as not delivered.
    func publish(_ messages: [OutboxMessage], logger: Logger) async throws -> [Result<Void, any Error>]
}
