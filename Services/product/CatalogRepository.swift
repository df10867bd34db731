import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reads and writes the `products` table.
struct CatalogRepository: Sendable {
    let database: Database

    /// Filters of the public listing.
    struct Query: Sendable {
        var text: String?
        var category: String?
        /// List products whose SKU sorts after this one (keyset pagination).
        var afterSKU: String?
        var limit: Int
    }

    /// Listed (not archived) products in SKU order; one more than `limit` is fetched to know
    /// whether another page exists.
    func list(_ query: Query, logger: Logger) async throws -> (products: [Product], hasMore: Bool) {
        let pattern = query.text.map { "%" + Self.escapeLike($0) + "%" }
        let rows = try await self.database.client.query(
            """
            SELECT \(unescaped: Self.productColumns)
            FROM products
            WHERE archived_at IS NULL
              AND (\(query.category)::text IS NULL OR category = \(query.category))
              AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
              AND (\(query.afterSKU)::text IS NULL OR sku > \(query.afterSKU))
            ORDER BY sku
            LIMIT \(query.limit + 1)
            """,
            logger: logger
        )
        var products: [Product] = []
        for try await row in rows.decode(ProductRow.self) { products.append(Self.product(row)) }
        let hasMore = products.count > query.limit
        return (Array(products.prefix(query.limit)), hasMore)
    }

    /// A listed product by id.
    func find(id: UUID, logger: Logger) async throws -> Product? {
        let rows = try await self.database.client.query(
            """
            SELECT \(unescaped: Self.productColumns)
            FROM products WHERE id = \(id) AND archived_at IS NULL
            """,
            logger: logger
        )
        for try await row in rows.decode(ProductRow.self) { return Self.product(row) }
        return nil
    }

    /// Inserts `products` when the catalog is empty; returns how many were inserted.
    func seedIfEmpty(_ products: [Product], logger: Logger) async throws -> Int {
        try await self.database.transaction(logger: logger) { connection in
            // Serialises concurrent replicas seeding at the same time.
            try await connection.query("LOCK TABLE products IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let count = try await connection.query("SELECT count(*) FROM products", logger: logger)
            for try await existing in count.decode(Int.self) where existing > 0 { return 0 }
            for product in products {
                try await connection.query(
                    """
                    INSERT INTO products (id, sku, name, description, category, price_amount, price_currency, on_hand)
                    VALUES (\(product.id), \(product.sku), \(product.name), \(product.description), \(product.category),
                            \(product.price.amount), \(product.price.currency), \(product.onHand))
                    """,
                    logger: logger
                )
            }
            return products.count
        }
    }

    /// The columns a ``ProductRow`` is read from, in order.
    static let productColumns = "id, sku, name, description, category, price_amount, price_currency, available, on_hand, held"

    /// The columns of ``productColumns``.
    typealias ProductRow = (UUID, String, String, String, String, Int64, String, Int32, Int32, Int32)

    static func product(_ row: ProductRow) -> Product {
        Product(
            id: row.0,
            sku: row.1,
            name: row.2,
            description: row.3,
            category: row.4,
            price: Money(amount: row.5, currency: row.6),
            available: Int(row.7),
            onHand: Int(row.8),
            held: Int(row.9)
        )
    }

    /// `%`, `_` and `\` are wildcards in LIKE; a search for them means the characters themselves.
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
