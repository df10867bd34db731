import Foundation
import Logging
import PostgresNIO

/// How a reservation moves a product's two stock counts (`on_hand`, `held`); `available` is
/// always `on_hand - held` (a generated column).
///
/// | movement | on_hand | held | available |
/// |---|---|---|---|
/// | hold (reserve) | = | + q | − q |
/// | commit (sold) | − q | − q | = |
/// | unhold (release or expiry of a hold) | = | − q | + q |
/// | restock (release of a sale) | + q | = | + q |
///
/// An admin's stock count sets `on_hand` only, so no movement of a hold made before it can
/// lose or invent units.
enum StockMovement: String, Sendable, CaseIterable {
    case hold
    case commit
    case unhold
    case restock

    /// Moves `quantity` units of `productId`; the product after it, or `nil` when the row does
    /// not qualify (a hold without enough available units, or on an archived product).
    func apply(_ quantity: Int, of productId: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Product? {
        let units = Int64(quantity)
        let columns = CatalogRepository.productColumns
        let query: PostgresQuery =
            switch self {
            case .hold:
                """
                UPDATE products SET held = held + \(units), updated_at = now()
                WHERE id = \(productId) AND on_hand - held >= \(units) AND archived_at IS NULL
                RETURNING \(unescaped: columns)
                """
            case .commit:
                """
                UPDATE products SET on_hand = on_hand - \(units), held = held - \(units), updated_at = now()
                WHERE id = \(productId) RETURNING \(unescaped: columns)
                """
            case .unhold:
                "UPDATE products SET held = held - \(units), updated_at = now() WHERE id = \(productId) RETURNING \(unescaped: columns)"
            case .restock:
                "UPDATE products SET on_hand = on_hand + \(units), updated_at = now() WHERE id = \(productId) RETURNING \(unescaped: columns)"
            }
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows.decode(CatalogRepository.ProductRow.self) { return CatalogRepository.product(row) }
        return nil
    }
}
