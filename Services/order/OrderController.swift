import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/orders/{id}`.
struct OrderController: Sendable {
    let orders: OrderReadModel

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/orders/{id}") { _, context in
            _ = try context.requireUser()
            let id = try context.resourceID(notFound: "No order has this id.")
            guard let order = try await self.orders.find(id: id, logger: context.logger) else { throw ProblemError.notFound("No order has this id.") }
            try context.requireOwner(order.userId, notFound: "No order has this id.")
            return JSONResponse(order)
        }
    }
}
