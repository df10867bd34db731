import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `POST /internal/products/lookup`: what order needs to price and accept order lines.
struct ProductLookupController: Sendable {
    let catalog: CatalogRepository

    static let maximumIDs = ProductLookupRequest.maximumIDs

    func register(on routes: ServiceRoutes) {
        routes.post("/internal/products/lookup", scope: .productsLookup) { request, context in
            let lookup = try await request.decodeJSON(as: ProductLookupRequest.self, context: context)
            let ids = try Self.ids(of: lookup)
            return JSONResponse(ProductLookupResult(items: try await self.catalog.facts(ids: ids, logger: context.logger)))
        }
    }

    /// The distinct ids asked for, in order; 422 for more than ``maximumIDs``.
    static func ids(of lookup: ProductLookupRequest) throws -> [UUID] {
        var validator = Validator()
        validator.check(lookup.ids.count <= Self.maximumIDs, "ids", "must have at most \(Self.maximumIDs) entries")
        try validator.validate()
        var seen = Set<UUID>()
        return lookup.ids.filter { seen.insert($0).inserted }
    }
}
