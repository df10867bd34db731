import Contracts
import Foundation

/// The checkout saga as a pure state machine: from an order's state it names the next step,
/// and from a step's outcome it names the events to record. The runner does the I/O.
///
/// Forward: reserve stock → authorize payment → commit stock → capture payment → confirm.
/// Once a cancellation is requested (out of stock, declined, failed, past the deadline, or by
/// the customer) it compensates: cancel the payment (void or refund) if stock was ever
/// reserved (authorization is only ever tried after that), release the stock (a release that
/// finds nothing leaves a tombstone that refuses a late reservation), then cancel the order.
enum OrderSaga {
    /// What the saga does next.
    enum Step: Equatable, Sendable {
        case reserveStock
        case authorizePayment
        case commitStock
        case capturePayment
        case confirm
        /// The deadline passed while pending.
        case expire
        case cancelPayment
        case releaseStock
        case finishCancellation(CancellationReason)
        /// Nothing left to do.
        case done

        /// A step that only records events: no call to another service.
        var isLocal: Bool {
            switch self {
            case .confirm, .expire, .finishCancellation: true
            case .reserveStock, .authorizePayment, .commitStock, .capturePayment, .cancelPayment, .releaseStock, .done: false
            }
        }
    }

    /// How a remote step ended.
    enum Outcome: Equatable, Sendable {
        case reservation(ReservationStatus)
        case payment(PaymentStatus, paymentId: UUID)
        /// The callee refused the step for good (a 409: the reservation expired, the payment is
        /// not capturable).
        case refused
        /// The payment processor failed transiently (retry, up to the attempt limit).
        case processorUnavailable
        /// Local steps (confirm, expire, finish) need no answer.
        case none
    }

    /// What to do after an outcome: record events, or try the same step again later.
    enum Decision: Equatable, Sendable {
        case record([OrderEventKind])
        case retry
    }

    static func nextStep(_ state: OrderState, nowMillis: Int64) -> Step {
        guard let placement = state.placement, !state.isCancelled else { return .done }
        if let reason = state.cancellationRequested {
            if state.stockReserved && state.paymentCancelled == nil { return .cancelPayment }
            if !state.stockReleased { return .releaseStock }
            return .finishCancellation(reason)
        }
        if state.isConfirmed { return .done }
        // Once the stock is sold the order goes through (capture and confirm are retried):
        // cancelling then would refund a sale that succeeded.
        if nowMillis >= placement.deadlineMillis && !state.stockCommitted { return .expire }
        if !state.stockReserved { return .reserveStock }
        if state.paymentId == nil { return .authorizePayment }
        if !state.stockCommitted { return .commitStock }
        if !state.paymentCaptured { return .capturePayment }
        return .confirm
    }

    /// The events an outcome of `step` leads to; `failedAttempts` counts earlier transient
    /// processor failures of this step.
    static func decide(_ step: Step, _ outcome: Outcome, failedAttempts: Int, maxPaymentAttempts: Int) -> Decision {
        switch (step, outcome) {
        case (.reserveStock, .reservation(let status)):
            switch status {
            case .reserved, .committed: return .record([.stockReserved])
            case .rejected: return .record([.cancellationRequested(.outOfStock)])
            // Expired or released before the saga saw it reserved: too late to go on.
            case .expired, .released: return .record([.cancellationRequested(.deadlineExceeded)])
            }
        case (.authorizePayment, .payment(let status, let paymentId)):
            switch status {
            case .authorized, .captured: return .record([.paymentAuthorized(paymentId: paymentId)])
            case .declined: return .record([.cancellationRequested(.paymentDeclined)])
            case .voided, .refunded: return .record([.cancellationRequested(.paymentFailed)])
            }
        case (.authorizePayment, .processorUnavailable):
            return failedAttempts + 1 >= maxPaymentAttempts ? .record([.cancellationRequested(.paymentFailed)]) : .retry
        case (.commitStock, .reservation(.committed)):
            return .record([.stockCommitted])
        case (.commitStock, .refused), (.commitStock, .reservation):
            return .record([.cancellationRequested(.deadlineExceeded)])
        case (.capturePayment, .payment(.captured, _)):
            return .record([.paymentCaptured])
        case (.capturePayment, .refused), (.capturePayment, .payment):
            return .record([.cancellationRequested(.paymentFailed)])
        case (.confirm, _):
            return .record([.confirmed])
        case (.expire, _):
            return .record([.cancellationRequested(.deadlineExceeded)])
        case (.cancelPayment, .payment(let status, _)) where [.voided, .refunded, .declined].contains(status):
            return .record([.paymentCancelled(status: status)])
        case (.releaseStock, .reservation(let status)) where [.released, .expired, .rejected].contains(status):
            return .record([.stockReleased])
        case (.finishCancellation(let reason), _):
            return .record([.cancelled(reason)])
        default:
            // An answer that does not fit the step (a bug or a callee from another version):
            // try again later rather than record something false.
            return .retry
        }
    }
}
