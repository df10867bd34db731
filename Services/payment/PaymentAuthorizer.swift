import Contracts
import Foundation
import Logging
import ServiceKit

/// `shop.payment.v1.Payments/Authorize`: one payment per order, whatever happens.
///
/// An order that already has a payment (authorized, declined, or a voided tombstone left by a
/// cancel that came first) gets that payment back unchanged. Otherwise the card is checked and
/// the processor asked, outside any transaction; its answer is recorded with
/// `INSERT … ON CONFLICT DO NOTHING`, so concurrent identical requests record one payment.
struct PaymentAuthorizer: Sendable {
    let payments: PaymentRepository
    let methods: PaymentMethodRepository
    let processor: CardProcessor
    let now: @Sendable () -> Date

    /// What the authorization came to.
    enum Result: Sendable {
        /// The order's payment after the call, and whether this call made it.
        case recorded(Payment, created: Bool)
        /// The processor failed transiently; nothing was recorded and the caller may retry.
        case processorUnavailable
    }

    /// Authorizes the order's amount, or answers its existing payment; throws a 422 for a
    /// malformed amount.
    func authorize(_ request: AuthorizationRequest, logger: Logger) async throws -> Result {
        if let existing = try await self.payments.find(orderId: request.orderId, logger: logger) {
            return .recorded(existing, created: false)
        }
        try request.validate()

        let card = try await self.methods.savedCard(id: request.paymentMethodId, userId: request.userId, logger: logger)
        let decision = AuthorizationDecision.decide(
            card: card,
            userId: request.userId,
            amount: request.amount,
            at: self.now(),
            processor: self.processor
        )
        var payment = Payment(
            id: UUID(),
            orderId: request.orderId,
            userId: request.userId,
            paymentMethodId: request.paymentMethodId,
            amount: request.amount,
            status: .authorized,
            declineReason: nil,
            authorizedAmount: request.amount.amount,
            createdAt: self.now()
        )
        switch decision {
        case .authorize:
            break
        case .decline(let reason):
            payment.status = .declined
            payment.declineReason = reason
            payment.authorizedAmount = nil
        case .processorUnavailable:
            logger.info("card processor failed transiently; nothing recorded", metadata: ["order.id": "\(request.orderId)"])
            PaymentMetrics.count(.authorize, .failed)
            return .processorUnavailable
        }
        let (recorded, created) = try await self.payments.record(payment, logger: logger)
        if created { PaymentMetrics.count(.authorize, recorded.status == .declined ? .declined : .succeeded) }
        return .recorded(recorded, created: created)
    }
}
