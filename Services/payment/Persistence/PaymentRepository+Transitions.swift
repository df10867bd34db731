import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

extension PaymentRepository {
    /// Captures the order's authorization (exactly the authorized amount); `nil` when the
    /// order has no payment, a 409 problem when it cannot be captured.
    func capture(orderId: UUID, logger: Logger) async throws -> PaymentChange? {
        switch try await self.apply(PaymentTransition.capture(from:), toOrder: orderId, logger: logger) {
        case .noPayment: return nil
        case .refused(let reason): throw ProblemError.conflict(reason)
        case .done(let change): return change
        }
    }

    /// The compensation: voids an authorization, refunds a capture, and leaves settled payments
    /// as they are. An order without a payment gets a voided tombstone, so an authorization
    /// that arrives later finds it and is not made.
    func cancel(orderId: UUID, logger: Logger) async throws -> PaymentChange {
        if case .done(let change) = try await self.apply(PaymentTransition.cancel(from:), toOrder: orderId, logger: logger) {
            return change
        }
        let tombstone = Payment(
            id: UUID(),
            orderId: orderId,
            userId: nil,
            paymentMethodId: nil,
            amount: Money(amount: 0, currency: Payment.noCurrency),
            status: .voided,
            declineReason: nil,
            authorizedAmount: nil,
            createdAt: Date()
        )
        let (payment, created) = try await self.record(tombstone, logger: logger)
        if created { return PaymentChange(payment: payment, changed: true) }
        // An authorization was recorded between the two steps: cancel it instead.
        guard case .done(let change) = try await self.apply(PaymentTransition.cancel(from:), toOrder: orderId, logger: logger) else {
            throw MissingRow(expected: "the payment of order \(orderId)")
        }
        return change
    }

    /// What ``apply(_:toOrder:logger:)`` did. Refusals are returned, not thrown, because the
    /// transaction wraps whatever its body throws.
    private enum Applied: Sendable {
        case noPayment
        case refused(String)
        case done(PaymentChange)
    }

    /// Locks the order's payment, asks `transition` what to do with its status, and applies it
    /// with its ledger entry in one transaction.
    private func apply(
        _ transition: @Sendable (PaymentStatus) -> PaymentTransition,
        toOrder orderId: UUID,
        logger: Logger
    ) async throws -> Applied {
        let applied: Applied = try await self.database.transaction(logger: logger) { connection in
            guard var payment = try await Self.find(orderId: orderId, locking: true, on: connection, logger: logger) else {
                return .noPayment
            }
            switch transition(payment.status) {
            case .unchanged:
                return .done(PaymentChange(payment: payment, changed: false))
            case .refused(let reason):
                return .refused(reason)
            case .move(let status, let kind):
                try await connection.query(
                    "UPDATE payments SET status = \(status.rawValue), updated_at = now() WHERE id = \(payment.id)",
                    logger: logger
                )
                let entry = LedgerEntry(paymentId: payment.id, orderId: orderId, kind: kind, amount: payment.authorizedMoney)
                try await PaymentLedger.append(entry, of: payment, on: connection, logger: logger)
                payment.status = status
                return .done(PaymentChange(payment: payment, changed: true))
            }
        }
        switch applied {
        case .done(let change) where change.changed: PaymentMetrics.moved(to: change.payment.status)
        // Only a capture can be refused (a cancel always settles).
        case .refused: PaymentMetrics.count(.capture, .failed)
        case .done, .noPayment: break
        }
        return applied
    }
}

/// A payment after a capture or cancel, and whether the call changed it (a repeated call does not).
struct PaymentChange: Sendable {
    var payment: Payment
    var changed: Bool
}
