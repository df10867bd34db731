import Foundation
import Hummingbird
import ServiceKit

/// Public catalog reads: `GET /v1/products` and `GET /v1/products/{id}`.
struct CatalogController: Sendable {
    let catalog: CatalogRepository

    private struct Position: Codable {
        var sku: String
    }

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/products") { request, context in try await self.list(request, context: context) }
        routes.get("/v1/products/{id}") { _, context in try await self.show(context: context) }
    }

    func list(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<Page<Product>> {
        var validator = Validator()
        let page = PageRequest(uri: request.uri, validator: &validator)
        var afterSKU: String?
        if let cursor = page.cursor {
            afterSKU = Cursor.decode(cursor, as: Position.self)?.sku
            validator.check(afterSKU != nil, "cursor", "is not a cursor this API issued")
        }
        let text = request.uri.formQuery["q"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        let category = request.uri.formQuery["category"].flatMap { $0.isEmpty ? nil : $0 }
        validator.check((text?.count ?? 0) <= 200, "q", "must be at most 200 characters")
        try validator.validate()
        let result = try await self.catalog.list(
            .init(text: text, category: category, afterSKU: afterSKU, limit: page.limit),
            logger: context.logger
        )
        let next = result.hasMore ? result.products.last.flatMap { Cursor.encode(Position(sku: $0.sku)) } : nil
        return JSONResponse(Page(items: result.products, nextCursor: next))
    }

    func show(context: ServiceRequestContext) async throws -> JSONResponse<Product> {
        let id = try context.resourceID(notFound: "No product has this id.")
        guard let product = try await self.catalog.find(id: id, logger: context.logger) else {
            throw ProblemError.notFound("No product has this id.")
        }
        return JSONResponse(product)
    }
}
