import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// The endpoints order's saga calls (order's service token, each route with its own scope): authorize
/// (answering ``AuthorizationResult``: a transient processor failure is an outcome, not a 5xx),
/// capture and cancel an order's payment (answering ``PaymentResult``); and the check that a
/// payment method is a user's.
struct InternalPaymentController: Sendable {
    let authorizer: PaymentAuthorizer
    let payments: PaymentRepository
    let methods: PaymentMethodRepository
    let now: @Sendable () -> Date

    func register(on routes: ServiceRoutes) {
        routes.post("/internal/payments/authorize", scope: .paymentsAuthorize) { request, context in
            let authorization = try await request.decodeJSON(as: AuthorizationRequest.self, context: context)
            switch try await self.authorizer.authorize(authorization, logger: context.logger) {
            case .recorded(let payment, let created):
                if created { Self.logChange(payment, context.logger) }
                return JSONResponse(status: created ? .created : .ok, AuthorizationResult.recorded(payment.result))
            case .processorUnavailable:
                return JSONResponse(AuthorizationResult(outcome: .processorUnavailable, retryAfterSeconds: 1))
            }
        }
        routes.post("/internal/payments/{orderId}/capture", scope: .paymentsCapture) { _, context in
            let orderId = try context.resourceID("orderId", notFound: "No order has this id.")
            guard let change = try await self.payments.capture(orderId: orderId, logger: context.logger) else {
                throw ProblemError.notFound("The order has no payment to capture.")
            }
            if change.changed { Self.logChange(change.payment, context.logger) }
            return JSONResponse(change.payment.result)
        }
        routes.post("/internal/payments/{orderId}/cancel", scope: .paymentsCancel) { _, context in
            let orderId = try context.resourceID("orderId", notFound: "No order has this id.")
            let change = try await self.payments.cancel(orderId: orderId, logger: context.logger)
            if change.changed { Self.logChange(change.payment, context.logger) }
            return JSONResponse(change.payment.result)
        }
        routes.get("/internal/payment-methods/{id}", scope: .paymentMethodsRead) { request, context in
            let id = try context.resourceID(notFound: "No payment method has this id.")
            let userId = request.uri.formQuery["userId"].flatMap { UUID(uuidString: $0) }
            var validator = Validator()
            validator.check(userId != nil, "userId", "is required and must be a UUID")
            try validator.validate()
            guard let userId,
                let check = try await self.methods.check(id: id, userId: userId, at: self.now(), logger: context.logger)
            else {
                throw ProblemError.notFound("The user has no payment method with this id.")
            }
            return JSONResponse(check)
        }
    }

    private static func logChange(_ payment: Payment, _ logger: Logger) {
        var metadata: Logger.Metadata = [
            "order.id": "\(payment.orderId)",
            "payment.id": "\(payment.id)",
            "payment.status": "\(payment.status.rawValue)",
            "payment.amount": "\(payment.amount.amount)",
            "payment.currency": "\(payment.amount.currency)",
        ]
        if let reason = payment.declineReason { metadata["payment.decline_reason"] = "\(reason.rawValue)" }
        logger.info("payment status changed", metadata: metadata)
    }
}
