import Contracts
import Foundation

/// A small catalog for local runs (`SEED_DEMO_CATALOG=true`), so the API has something to show.
enum DemoCatalog {
    static let products: [Product] = [
        item("BOOK-SWIFT-01", "The Swift Programming Language", "The language guide, printed and bound.", "books", 3999, 25),
        item("BOOK-NIO-01", "Event Loops in Practice", "Non-blocking I/O from sockets to services.", "books", 4599, 12),
        item("MUG-LOGO-01", "Bird Mug", "A 350 ml ceramic mug with a hummingbird print.", "kitchen", 1499, 80),
        item("TEE-LOGO-M", "Logo T-Shirt (M)", "Organic cotton, medium.", "apparel", 2200, 40),
        item("TEE-LOGO-L", "Logo T-Shirt (L)", "Organic cotton, large.", "apparel", 2200, 35),
        item("KEY-MECH-01", "Mechanical Keyboard", "Tenkeyless, hot-swappable switches.", "electronics", 12900, 10),
        item("CABLE-USBC-2M", "USB-C Cable 2 m", "Braided, 100 W.", "electronics", 1299, 150),
        item("STICKER-PACK", "Sticker Pack", "Ten vinyl stickers for your laptop.", "accessories", 499, 500),
    ]

    private static func item(_ sku: String, _ name: String, _ description: String, _ category: String, _ cents: Int64, _ stock: Int) -> Product {
        Product(
            id: UUID(),
            sku: sku,
            name: name,
            description: description,
            category: category,
            price: Money(amount: cents, currency: "USD"),
            available: stock,
            onHand: stock,
            held: 0
        )
    }
}
