import Metrics
import ServiceKit

/// `stock_reservations_total{transition}`: holds made or rejected, committed, released and
/// expired, counted once their transaction committed.
enum ReservationMetrics {
    static let transitions = ["made", "rejected", "committed", "released", "expired"]

    /// Every transition at zero, so rates see the first one.
    static func declare() {
        MetricCatalog.declareCounter("stock_reservations_total", dimension: "transition", values: Self.transitions)
    }

    /// Counts what a reservation call changed (nothing for an unchanged or refused one).
    static func record(_ outcome: ReservationOutcome) {
        switch outcome {
        case .created(let result), .changed(let result):
            let transition: String
            switch result.status {
            case .reserved: transition = "made"
            case .rejected: transition = "rejected"
            case .committed: transition = "committed"
            case .released: transition = "released"
            case .expired: transition = "expired"
            }
            Counter(label: "stock_reservations_total", dimensions: [("transition", transition)]).increment()
        case .unchanged, .refused, .unknown:
            break
        }
    }

    /// Counts holds that expired.
    static func expired(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "stock_reservations_total", dimensions: [("transition", "expired")]).increment(by: Int64(count))
    }
}
