import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `inventory.changed`, written to the outbox in the transaction that changed the stock.
enum InventoryEvents {
    static func changed(_ productId: UUID, available: Int, reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await OutboxRelay.enqueue(
            type: EventType.inventoryChanged,
            subject: productId.uuidString,
            payload: InventoryChanged(productId: productId, available: available, reason: reason),
            on: connection,
            logger: logger
        )
    }
}
