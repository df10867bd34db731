import Foundation
import Hummingbird
import ServiceKit

/// Catalog management for admins: create, change, restock and archive products.
struct CatalogAdminController: Sendable {
    let catalog: CatalogRepository

    private static let unknown = "No product has this id."

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/products") { request, context in try await self.create(request, context: context) }
        routes.patch("/v1/products/{id}") { request, context in try await self.update(request, context: context) }
        routes.put("/v1/products/{id}/inventory") { request, context in try await self.setInventory(request, context: context) }
        routes.delete("/v1/products/{id}") { _, context in try await self.archive(context: context) }
    }

    func create(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<Product> {
        _ = try context.requireAdmin()
        let draft = try await request.decodeJSON(as: ProductDraft.self, context: context)
        let input = try draft.validated()
        guard let product = try await self.catalog.create(input, logger: context.logger) else {
            throw ProblemError.conflict("A product with SKU \(input.sku) already exists (archived products keep their SKU).")
        }
        context.logger.info("product created", metadata: ["product.id": "\(product.id)", "product.sku": "\(product.sku)"])
        return JSONResponse(status: .created, headers: [.location: "/v1/products/\(product.id.uuidString.lowercased())"], product)
    }

    func update(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<Product> {
        _ = try context.requireAdmin()
        let id = try context.resourceID(notFound: Self.unknown)
        var changes = try await request.decodeJSON(as: ProductChanges.self, context: context)
        changes.normalize()
        try changes.validate()
        switch try await self.catalog.update(id: id, changes: changes, logger: context.logger) {
        case .changed(let product):
            context.logger.info("product updated", metadata: ["product.id": "\(id)"])
            return JSONResponse(product)
        case .notFound:
            throw ProblemError.notFound(Self.unknown)
        case .skuTaken:
            throw ProblemError.conflict("Another product already has SKU \(changes.sku ?? "") (archived products keep their SKU).")
        }
    }

    /// A stock count: sets the units on hand; units held for pending orders stay held.
    func setInventory(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<Product> {
        _ = try context.requireAdmin()
        let id = try context.resourceID(notFound: Self.unknown)
        let onHand = try await request.decodeJSON(as: InventoryLevel.self, context: context).validated()
        switch try await self.catalog.setStock(id: id, onHand: onHand, logger: context.logger) {
        case .set(let product):
            context.logger.info(
                "stock counted",
                metadata: ["product.id": "\(id)", "product.on_hand": "\(product.onHand)", "product.held": "\(product.held)"]
            )
            return JSONResponse(product)
        case .notFound:
            throw ProblemError.notFound(Self.unknown)
        case .belowHeld(let held):
            var problem = ProblemError.conflict(
                "\(held) units are held for pending orders; the stock on hand cannot be less until they are committed or released."
            )
            problem.extensions["held"] = String(held)
            throw problem
        }
    }

    func archive(context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let id = try context.resourceID(notFound: Self.unknown)
        switch try await self.catalog.archive(id: id, logger: context.logger) {
        case .archived:
            context.logger.info("product archived", metadata: ["product.id": "\(id)"])
        case .alreadyArchived:
            break
        case .notFound:
            throw ProblemError.notFound(Self.unknown)
        }
        return Response(status: .noContent)
    }
}
