import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/payments?orderId=`.
struct PaymentController: Sendable {
    let payments: PaymentRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/payments") { request, context in
            let caller = try context.requireUser()
            var validator = Validator()
            let page = PageRequest(uri: request.uri, validator: &validator)
            let orderID = request.uri.queryParameters["orderId"].flatMap { UUID(uuidString: String($0)) }
            validator.check(orderID != nil, "orderId", "is required and must be a UUID")
            try validator.validate()
            guard let orderID else { throw ProblemError.validation(validator.errors) }
            // One payment per order, so a single page always holds them all.
            // A customer sees only their own payments; an admin sees all.
            let owner = caller.isAdmin ? nil : try context.requireUserID()
            let payments = try await self.payments.list(orderID: orderID, owner: owner, limit: page.limit, logger: context.logger)
            return JSONResponse(Page(items: payments, nextCursor: nil))
        }
    }
}
