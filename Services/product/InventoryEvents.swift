import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `inventory.changed`, written to the outbox in the transaction that changed the stock.
enum InventoryEvents {
    static func changed(_ product: Product, reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await Self.changed(
            InventoryChanged(productId: product.id, available: product.available, reason: reason, onHand: product.onHand, held: product.held),
            on: connection,
            logger: logger
        )
    }

    static func changed(_ event: InventoryChanged, on connection: PostgresConnection, logger: Logger) async throws {
        try await OutboxRelay.enqueue(
            type: EventType.inventoryChanged,
            subject: event.productId.uuidString,
            payload: event,
            on: connection,
            logger: logger
        )
    }
}
