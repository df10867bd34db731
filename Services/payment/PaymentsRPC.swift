import Contracts
import Foundation
import GRPCCore
import InternalAPI
import Logging
import ServiceKit

/// `shop.payment.v1.Payments`, which order calls: authorize (a transient processor failure is
/// an answer, not an error a breaker would count), capture and cancel an order's payment, and
/// the check that a payment method is a user's.
struct PaymentsRPC: Shop_Payment_V1_Payments.SimpleServiceProtocol {
    let authorizer: PaymentAuthorizer
    let payments: PaymentRepository
    let methods: PaymentMethodRepository
    let now: @Sendable () -> Date

    /// The error domain of the reasons in this service's `ErrorInfo` details.
    static let errorDomain = "payment.shop"

    func authorize(request: Shop_Payment_V1_AuthorizeRequest, context: ServerContext) async throws -> Shop_Payment_V1_AuthorizeResponse {
        let call = try RPCCall.requireMutation()
        switch try await self.authorizer.authorize(try AuthorizationRequest(request), logger: call.logger) {
        case .recorded(let payment, let created):
            if created { Self.logChange(payment, call.logger) }
            return .with { $0.payment = Shop_Payment_V1_Payment(payment) }
        case .processorUnavailable:
            return .with { $0.processorUnavailable = .with { $0.retryAfterSeconds = 1 } }
        }
    }

    /// `FAILED_PRECONDITION` (`PAYMENT_NOT_CAPTURABLE`) when declined or voided; `NOT_FOUND`
    /// when the order has no payment.
    func capture(request: Shop_Payment_V1_PaymentRef, context: ServerContext) async throws -> Shop_Payment_V1_Payment {
        let call = try RPCCall.requireMutation()
        let orderId = try Self.uuid(request.orderID, "orderId")
        let captured: PaymentChange?
        do {
            captured = try await self.payments.capture(orderId: orderId, logger: call.logger)
        } catch let refusal as ProblemError where refusal.status == .conflict {
            // Declined or voided: the saga compensates on this reason.
            throw domainError(.failedPrecondition, reason: "PAYMENT_NOT_CAPTURABLE", domain: Self.errorDomain, message: refusal.detail)
        }
        guard let change = captured else {
            throw RPCError(code: .notFound, message: "The order has no payment to capture.")
        }
        if change.changed { Self.logChange(change.payment, call.logger) }
        return Shop_Payment_V1_Payment(change.payment)
    }

    func cancel(request: Shop_Payment_V1_PaymentRef, context: ServerContext) async throws -> Shop_Payment_V1_Payment {
        let call = try RPCCall.requireMutation()
        let change = try await self.payments.cancel(orderId: try Self.uuid(request.orderID, "orderId"), logger: call.logger)
        if change.changed { Self.logChange(change.payment, call.logger) }
        return Shop_Payment_V1_Payment(change.payment)
    }

    /// `NOT_FOUND` unless the user has a payment method with this id.
    func checkPaymentMethod(
        request: Shop_Payment_V1_CheckPaymentMethodRequest,
        context: ServerContext
    ) async throws -> Shop_Payment_V1_PaymentMethodCheck {
        let call = try RPCCall.require()
        let id = try Self.uuid(request.paymentMethodID, "paymentMethodId")
        let userId = try Self.uuid(request.userID, "userId")
        guard let check = try await self.methods.check(id: id, userId: userId, at: self.now(), logger: call.logger) else {
            throw RPCError(code: .notFound, message: "The user has no payment method with this id.")
        }
        return .with {
            $0.paymentMethodID = check.id.uuidString.lowercased()
            $0.userID = check.userId.uuidString.lowercased()
            $0.expired = check.expired
        }
    }

    private static func uuid(_ text: String, _ field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw RPCError(code: .invalidArgument, message: "\(field) must be a UUID.") }
        return id
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

extension Shop_Payment_V1_Payment {
    /// A payment as the internal API shows it.
    init(_ payment: Payment) {
        self.init()
        self.paymentID = payment.id.uuidString.lowercased()
        self.orderID = payment.orderId.uuidString.lowercased()
        self.status = .init(payment.status)
        self.amount = .with {
            $0.amountMinor = payment.amount.amount
            $0.currency = payment.amount.currency
        }
        self.declineReason = payment.declineReason.map(Shop_Payment_V1_DeclineReason.init) ?? .unspecified
    }
}

extension Shop_Payment_V1_PaymentStatus {
    init(_ status: PaymentStatus) {
        switch status {
        case .authorized: self = .authorized
        case .captured: self = .captured
        case .voided: self = .voided
        case .refunded: self = .refunded
        case .declined: self = .declined
        }
    }
}

extension Shop_Payment_V1_DeclineReason {
    init(_ reason: DeclineReason) {
        switch reason {
        case .cardDeclined: self = .cardDeclined
        case .insufficientFunds: self = .insufficientFunds
        case .invalidPaymentMethod: self = .invalidPaymentMethod
        case .expiredCard: self = .expiredCard
        }
    }
}
