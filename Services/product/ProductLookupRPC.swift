import Contracts
import Foundation
import GRPCCore
import InternalAPI
import ServiceKit

/// `shop.catalog.v1.ProductLookup`: what order needs to price and accept order lines.
struct ProductLookupRPC: Shop_Catalog_V1_ProductLookup.SimpleServiceProtocol {
    let catalog: CatalogRepository

    /// The most ids one lookup may ask for.
    static let maximumIDs = 100

    func lookupProducts(request: Shop_Catalog_V1_LookupProductsRequest, context: ServerContext) async throws -> Shop_Catalog_V1_LookupProductsResponse
    {
        let call = try RPCCall.require()
        let facts = try await self.catalog.facts(ids: try Self.ids(of: request.productIds), logger: call.logger)
        return .with { response in
            response.products = facts.map { fact in
                .with {
                    $0.productID = fact.id.uuidString.lowercased()
                    $0.name = fact.name
                    $0.price = .with { price in
                        price.amountMinor = fact.price.amount
                        price.currency = fact.price.currency
                    }
                    $0.archived = fact.archived
                }
            }
        }
    }

    /// The distinct ids asked for, in order; `INVALID_ARGUMENT` for more than ``maximumIDs`` or
    /// one that is not a UUID.
    static func ids(of texts: [String]) throws -> [UUID] {
        guard texts.count <= Self.maximumIDs else {
            throw RPCError(code: .invalidArgument, message: "productIds must have at most \(Self.maximumIDs) entries.")
        }
        var seen = Set<UUID>()
        var ids: [UUID] = []
        for text in texts {
            guard let id = UUID(uuidString: text) else { throw RPCError(code: .invalidArgument, message: "productIds must be UUIDs.") }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }
}
