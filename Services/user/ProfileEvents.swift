import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Creates a profile for every `user.registered`, in the consumer's inbox transaction.
struct ProfileEvents: EventHandler {
    var eventTypes: Set<String> { [EventType.userRegistered] }

    func handle(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws {
        guard event.version == 1 else { throw PoisonEvent(reason: "user.registered version \(event.version) is not known") }
        let registered = try event.payload(as: UserRegistered.self)
        let rows = try await connection.query(
            """
            INSERT INTO profiles (id, email, name, created_at)
            VALUES (\(registered.userId), \(registered.email), \(registered.name), \(registered.registeredAt))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows.decode(UUID.self) {
            logger.info("profile created", metadata: ["user.id": "\(registered.userId)"])
        }
    }
}
