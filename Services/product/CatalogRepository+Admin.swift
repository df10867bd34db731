import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Catalog management: creating, changing, restocking and archiving products.
extension CatalogRepository {
    /// The result of a change to a listed product.
    enum Change: Sendable, Equatable {
        case changed(Product)
        /// No listed product has this id (unknown or archived).
        case notFound
        /// Another product, perhaps an archived one, has the new SKU.
        case skuTaken
    }

    /// The result of a stock count.
    enum StockCount: Sendable, Equatable {
        case set(Product)
        /// No listed product has this id.
        case notFound
        /// Open reservations hold more units than the count; nothing changed.
        case belowHeld(Int)
    }

    /// A product row locked in this transaction was not there to update.
    struct MissingProductRow: Error, CustomStringConvertible {
        var id: UUID
        var description: String { "product \(self.id) vanished while its row was locked" }
    }

    /// The result of archiving.
    enum Archival: Sendable, Equatable {
        case archived
        case alreadyArchived
        case notFound
    }

    /// Inserts a product; `nil` when its SKU is taken (archived products keep theirs).
    func create(_ product: NewProduct, logger: Logger) async throws -> Product? {
        try await self.database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO products (id, sku, name, description, category, price_amount, price_currency, on_hand)
                VALUES (\(UUID()), \(product.sku), \(product.name), \(product.description), \(product.category),
                        \(product.price.amount), \(product.price.currency), \(product.available))
                ON CONFLICT (sku) DO NOTHING
                RETURNING \(unescaped: Self.productColumns)
                """,
                logger: logger
            )
            var created: Product?
            for try await row in rows.decode(ProductRow.self) { created = Self.product(row) }
            if let created {
                try await OutboxRelay.enqueue(
                    type: EventType.productCreated,
                    subject: created.id.uuidString,
                    payload: ProductCreated(
                        productId: created.id,
                        sku: created.sku,
                        name: created.name,
                        price: created.price,
                        available: created.available
                    ),
                    on: connection,
                    logger: logger
                )
            }
            return created
        }
    }

    /// Applies the present fields of validated `changes` to a listed product.
    func update(id: UUID, changes: ProductChanges, logger: Logger) async throws -> Change {
        do {
            let rows = try await self.database.client.query(
                """
                UPDATE products SET
                    sku = COALESCE(\(changes.sku), sku),
                    name = COALESCE(\(changes.name), name),
                    description = COALESCE(\(changes.description), description),
                    category = COALESCE(\(changes.category), category),
                    price_amount = COALESCE(\(changes.price?.money?.amount), price_amount),
                    price_currency = COALESCE(\(changes.price?.money?.currency), price_currency),
                    updated_at = now()
                WHERE id = \(id) AND archived_at IS NULL
                RETURNING \(unescaped: Self.productColumns)
                """,
                logger: logger
            )
            for try await row in rows.decode(ProductRow.self) { return .changed(Self.product(row)) }
            return .notFound
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw {
            return .skuTaken
        }
    }

    /// Sets the stock on hand of a listed product (a stock count): the units in stock that are
    /// not sold yet, those held for pending orders included. Held units stay held, so releasing
    /// or committing them later neither invents nor loses any; a count below the held units is
    /// refused.
    func setStock(id: UUID, onHand: Int, logger: Logger) async throws -> StockCount {
        try await self.database.transaction(logger: logger) { connection in
            // The row lock orders this count with the reservations of the same product.
            let current = try await connection.query(
                "SELECT held FROM products WHERE id = \(id) AND archived_at IS NULL FOR UPDATE",
                logger: logger
            )
            var held: Int?
            for try await value in current.decode(Int.self) { held = value }
            guard let held else { return .notFound }
            guard held <= onHand else { return .belowHeld(held) }
            let rows = try await connection.query(
                """
                UPDATE products SET on_hand = \(onHand), updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.productColumns)
                """,
                logger: logger
            )
            for try await row in rows.decode(ProductRow.self) {
                let product = Self.product(row)
                try await InventoryEvents.changed(product, reason: "set", on: connection, logger: logger)
                return .set(product)
            }
            throw MissingProductRow(id: id)
        }
    }

    /// Takes a product out of the catalog: no longer listed, shown or reservable. Its row,
    /// SKU and reservations stay.
    func archive(id: UUID, logger: Logger) async throws -> Archival {
        let archived = try await self.database.client.query(
            "UPDATE products SET archived_at = now(), updated_at = now() WHERE id = \(id) AND archived_at IS NULL RETURNING id",
            logger: logger
        )
        for try await _ in archived.decode(UUID.self) { return .archived }
        let existing = try await self.database.client.query("SELECT id FROM products WHERE id = \(id)", logger: logger)
        for try await _ in existing.decode(UUID.self) { return .alreadyArchived }
        return .notFound
    }

    /// The orderable facts of the products with these ids, archived ones included, in the
    /// order of `ids`; unknown ids are absent.
    func facts(ids: [UUID], logger: Logger) async throws -> [ProductFacts] {
        guard !ids.isEmpty else { return [] }
        let rows = try await self.database.client.query(
            """
            SELECT id, name, price_amount, price_currency, archived_at IS NOT NULL
            FROM products WHERE id = ANY(\(ids))
            """,
            logger: logger
        )
        var found: [UUID: ProductFacts] = [:]
        for try await (id, name, amount, currency, archived) in rows.decode((UUID, String, Int64, String, Bool).self) {
            found[id] = ProductFacts(id: id, name: name, price: Money(amount: amount, currency: currency), archived: archived)
        }
        return ids.compactMap { found[$0] }
    }
}
