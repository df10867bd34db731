import Contracts
import Metrics
import ServiceKit

/// `payments_total{operation, outcome}`: what the processor and the ledger did.
enum PaymentMetrics {
    enum Operation: String, CaseIterable {
        case authorize, capture, void, refund
    }

    enum Outcome: String, CaseIterable {
        case succeeded, declined, failed
    }

    /// Every pair at zero, so rates see the first one.
    static func declare() {
        for operation in Operation.allCases {
            for outcome in Outcome.allCases {
                Counter(label: "payments_total", dimensions: [("operation", operation.rawValue), ("outcome", outcome.rawValue)]).increment(by: 0)
            }
        }
    }

    static func count(_ operation: Operation, _ outcome: Outcome) {
        Counter(label: "payments_total", dimensions: [("operation", operation.rawValue), ("outcome", outcome.rawValue)]).increment()
    }

    /// A capture or cancel that moved a payment to `status`.
    static func moved(to status: PaymentStatus) {
        switch status {
        case .captured: Self.count(.capture, .succeeded)
        case .voided: Self.count(.void, .succeeded)
        case .refunded: Self.count(.refund, .succeeded)
        case .authorized, .declined: break
        }
    }
}
