import Contracts
import Foundation
import GRPCCore
import InternalAPI
import Logging
import ServiceKit

/// The saga's remote steps: gRPC calls to product and payment with order's service token and
/// an idempotency key per order and step. Answers become ``OrderSaga/Outcome``s; anything
/// transient is thrown and retried by the runner.
///
/// Every call carries the order's correlation id (the request id of the `POST /v1/orders` that
/// placed it) as its `x-request-id`, continues the placing request's trace (the runner's step
/// span is the active one), and has the step's budget as its deadline.
struct SagaEffects: Sendable {
    let calls: InternalCalls

    func perform(_ step: OrderSaga.Step, for state: OrderState, budget: Duration, logger: Logger) async throws -> OrderSaga.Outcome {
        guard let placement = state.placement else { return .none }
        let order = placement.orderId
        let orderID = order.uuidString.lowercased()
        let propagation = PropagationHeaders(
            requestID: placement.correlationId ?? order.uuidString,
            deadline: .now + budget
        )
        switch step {
        case .reserveStock:
            let request = Shop_Inventory_V1_ReserveRequest.with {
                $0.orderID = orderID
                $0.lines = placement.items.map { item in
                    .with {
                        $0.productID = item.productId.uuidString.lowercased()
                        $0.quantity = Int32(clamping: item.quantity)
                    }
                }
            }
            do {
                let reservation = try await self.calls.call(
                    Shop_Inventory_V1_Reservations.Method.Reserve.descriptor,
                    of: ServiceName.product,
                    idempotencyKey: "\(order)-reserve",
                    propagating: propagation,
                    logger: logger
                ) { client, metadata, options in
                    try await Shop_Inventory_V1_Reservations.Client(wrapping: client).reserve(request, metadata: metadata, options: options)
                }
                return .reservation(try Self.status(reservation.status))
            } catch ServiceClientError.rejected(_, let rejection) where rejection.reason == "OUT_OF_STOCK" {
                return .reservation(.rejected)
            }
        case .authorizePayment:
            let request = Shop_Payment_V1_AuthorizeRequest.with {
                $0.orderID = orderID
                $0.userID = placement.userId.uuidString.lowercased()
                $0.paymentMethodID = placement.paymentMethodId.uuidString.lowercased()
                $0.amount = .with {
                    $0.amountMinor = placement.total.amount
                    $0.currency = placement.total.currency
                }
            }
            let answer = try await self.calls.call(
                Shop_Payment_V1_Payments.Method.Authorize.descriptor,
                of: ServiceName.payment,
                idempotencyKey: "\(order)-authorize",
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Payment_V1_Payments.Client(wrapping: client).authorize(request, metadata: metadata, options: options)
            }
            switch answer.result {
            case .payment(let payment)?: return try Self.outcome(payment)
            case .processorUnavailable?: return .processorUnavailable
            case nil: throw ServiceClientError.invalidResponse(service: ServiceName.payment, reason: "an authorization without its result")
            }
        case .commitStock:
            do {
                let reservation = try await self.calls.call(
                    Shop_Inventory_V1_Reservations.Method.Commit.descriptor,
                    of: ServiceName.product,
                    idempotencyKey: "\(order)-commit",
                    propagating: propagation,
                    logger: logger
                ) { client, metadata, options in
                    try await Shop_Inventory_V1_Reservations.Client(wrapping: client).commit(
                        .with { $0.orderID = orderID },
                        metadata: metadata,
                        options: options
                    )
                }
                return .reservation(try Self.status(reservation.status))
            } catch ServiceClientError.rejected(_, let rejection) where rejection.code == .failedPrecondition {
                return .refused
            }
        case .capturePayment:
            do {
                let payment = try await self.calls.call(
                    Shop_Payment_V1_Payments.Method.Capture.descriptor,
                    of: ServiceName.payment,
                    idempotencyKey: "\(order)-capture",
                    propagating: propagation,
                    logger: logger
                ) { client, metadata, options in
                    try await Shop_Payment_V1_Payments.Client(wrapping: client).capture(
                        .with { $0.orderID = orderID },
                        metadata: metadata,
                        options: options
                    )
                }
                return try Self.outcome(payment)
            } catch ServiceClientError.rejected(_, let rejection) where rejection.code == .failedPrecondition {
                return .refused
            }
        case .cancelPayment:
            let payment = try await self.calls.call(
                Shop_Payment_V1_Payments.Method.Cancel.descriptor,
                of: ServiceName.payment,
                idempotencyKey: "\(order)-cancel-payment",
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Payment_V1_Payments.Client(wrapping: client).cancel(
                    .with { $0.orderID = orderID },
                    metadata: metadata,
                    options: options
                )
            }
            return try Self.outcome(payment)
        case .releaseStock:
            let reservation = try await self.calls.call(
                Shop_Inventory_V1_Reservations.Method.Release.descriptor,
                of: ServiceName.product,
                idempotencyKey: "\(order)-release",
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Inventory_V1_Reservations.Client(wrapping: client).release(
                    .with { $0.orderID = orderID },
                    metadata: metadata,
                    options: options
                )
            }
            return .reservation(try Self.status(reservation.status))
        case .confirm, .expire, .finishCancellation, .done:
            return .none
        }
    }

    /// The saga's view of a reservation status; an unknown one is an invalid answer.
    static func status(_ status: Shop_Inventory_V1_ReservationStatus) throws -> ReservationStatus {
        switch status {
        case .reserved: return .reserved
        case .committed: return .committed
        case .released: return .released
        case .expired: return .expired
        case .rejected: return .rejected
        case .unspecified, .UNRECOGNIZED:
            throw ServiceClientError.invalidResponse(service: ServiceName.product, reason: "reservation status \(status)")
        }
    }

    /// The saga's outcome of a payment answer; an unknown status or id is an invalid answer.
    static func outcome(_ payment: Shop_Payment_V1_Payment) throws -> OrderSaga.Outcome {
        let status: PaymentStatus
        switch payment.status {
        case .authorized: status = .authorized
        case .captured: status = .captured
        case .voided: status = .voided
        case .refunded: status = .refunded
        case .declined: status = .declined
        case .unspecified, .UNRECOGNIZED:
            throw ServiceClientError.invalidResponse(service: ServiceName.payment, reason: "payment status \(payment.status)")
        }
        guard let paymentId = UUID(uuidString: payment.paymentID) else {
            throw ServiceClientError.invalidResponse(service: ServiceName.payment, reason: "a payment id that is not a UUID")
        }
        return .payment(status, paymentId: paymentId)
    }
}
