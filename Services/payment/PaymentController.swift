import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/payments?orderId=&limit=&cursor=`: the caller's payments, newest first (an
/// admin's: everyone's), optionally only one order's.
struct PaymentController: Sendable {
    let payments: PaymentRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/payments") { request, context in
            let caller = try context.requireUser()
            // A customer sees only their own payments; an admin sees all.
            let owner = caller.isAdmin ? nil : try context.requireUserID()
            var validator = Validator()
            let page = PageRequest(uri: request.uri, validator: &validator)
            let cursor = page.cursor.map { Cursor.decode($0, as: ListCursor.self) }
            validator.check(cursor.map { $0 != nil } ?? true, "cursor", "is not a cursor of this list")
            let orderText = request.uri.formQuery["orderId"].flatMap { $0.isEmpty ? nil : $0 }
            let orderId = orderText.flatMap(UUID.init(uuidString:))
            validator.check(orderText == nil || orderId != nil, "orderId", "must be a UUID")
            try validator.validate()
            let slice = try await self.payments.list(
                owner: owner,
                orderId: orderId,
                after: cursor ?? nil,
                limit: page.limit,
                logger: context.logger
            )
            return JSONResponse(Page(items: slice.items, nextCursor: slice.next.flatMap { Cursor.encode($0) }))
        }
    }
}
