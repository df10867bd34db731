import Contracts
import Foundation
import Logging
import NIOCore
import ServiceKit

/// Delivers auth's outbox to the services that act on it. Today that is `user.registered` to
/// user's `POST /internal/profiles`; once the event bus exists the relay publishes to it
/// instead and user consumes the event, with nothing else in auth changing.
struct ProfileProvisioning: OutboxPublisher {
    let client: InternalClient

    func publish(_ message: OutboxMessage, logger: Logger) async throws {
        guard message.type == UserRegistered.type else {
            logger.debug("outbox event has no consumer yet", metadata: ["event.type": "\(message.type)"])
            return
        }
        _ = try await self.client.send(
            .POST,
            "/internal/profiles",
            to: ServiceName.user,
            json: ByteBuffer(string: message.payload),
            idempotencyKey: message.id.uuidString,
            propagating: nil,
            logger: logger
        )
    }
}
