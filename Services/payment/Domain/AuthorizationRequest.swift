import Contracts
import Foundation
import GRPCCore
import InternalAPI

/// A request to authorize an order's amount on a saved card (`shop.payment.v1.Payments/Authorize`).
///
/// Idempotent per `orderId`: a repeated request answers the payment as it is now. An order
/// whose payment was cancelled before any authorization arrived (see ``PaymentStatus/voided``)
/// is never authorized afterwards.
struct AuthorizationRequest: Sendable, Equatable {
    var orderId: UUID
    var userId: UUID
    var paymentMethodId: UUID
    var amount: Money

    init(orderId: UUID, userId: UUID, paymentMethodId: UUID, amount: Money) {
        self.orderId = orderId
        self.userId = userId
        self.paymentMethodId = paymentMethodId
        self.amount = amount
    }

    /// The request of an `Authorize` call; `INVALID_ARGUMENT` for an id that is not a UUID.
    init(_ message: Shop_Payment_V1_AuthorizeRequest) throws {
        guard let orderId = UUID(uuidString: message.orderID), let userId = UUID(uuidString: message.userID),
            let paymentMethodId = UUID(uuidString: message.paymentMethodID)
        else {
            throw RPCError(code: .invalidArgument, message: "orderId, userId and paymentMethodId must be UUIDs.")
        }
        self.init(
            orderId: orderId,
            userId: userId,
            paymentMethodId: paymentMethodId,
            amount: Money(amount: message.amount.amountMinor, currency: String(message.amount.currency.prefix(8)))
        )
    }
}
