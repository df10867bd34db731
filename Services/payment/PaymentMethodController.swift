import Foundation
import Hummingbird
import ServiceKit

/// The caller's saved cards: `POST /v1/payments/methods` saves one (the number encrypted, the
/// cvc checked and dropped), `GET /v1/payments/methods` lists them, newest first.
struct PaymentMethodController: Sendable {
    let methods: PaymentMethodRepository
    let now: @Sendable () -> Date

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/payments/methods") { request, context in
            let userId = try context.requireUserID()
            let input = try await Self.decodeCard(request, context: context)
            let card = try input.validated(at: self.now())
            let method = try await self.methods.create(userId: userId, card: card, logger: context.logger)
            context.logger.info(
                "payment method saved",
                metadata: ["user.id": "\(userId)", "payment_method.id": "\(method.id)", "payment_method.brand": "\(method.brand.rawValue)"]
            )
            return JSONResponse(status: .created, method)
        }
        routes.get("/v1/payments/methods") { request, context in
            let userId = try context.requireUserID()
            var validator = Validator()
            let page = PageRequest(uri: request.uri, validator: &validator)
            let cursor = page.cursor.map { Cursor.decode($0, as: ListCursor.self) }
            validator.check(cursor.map { $0 != nil } ?? true, "cursor", "is not a cursor of this list")
            try validator.validate()
            let slice = try await self.methods.list(userId: userId, after: cursor ?? nil, limit: page.limit, logger: context.logger)
            return JSONResponse(Page(items: slice.items, nextCursor: slice.next.flatMap { Cursor.encode($0) }))
        }
    }

    /// Decodes the body without ever repeating it: a JSON parser's account of malformed input
    /// may quote it, and it holds a card number and a cvc.
    private static func decodeCard(_ request: Request, context: ServiceRequestContext) async throws -> NewPaymentMethod {
        do {
            return try await request.decodeJSON(as: NewPaymentMethod.self, context: context)
        } catch let problem as ProblemError where problem.status == .badRequest {
            throw ProblemError.badRequest("The body must be a JSON object with cardNumber, expMonth, expYear and cvc.")
        }
    }
}
