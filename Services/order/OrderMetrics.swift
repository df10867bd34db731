import Metrics
import ServiceKit

/// Order's business metrics: orders placed, confirmed and cancelled (by reason), how long
/// checkout took, and the saga's steps (see `deploy/monitoring/metrics.md`).
enum OrderMetrics {
    static let placed = Counter(label: "orders_placed_total")
    static let confirmed = Counter(label: "orders_confirmed_total")
    static let deadlineCancellations = Counter(label: "order_saga_deadline_cancellations_total")
    static let placeToConfirmed = Metrics.Timer(label: "order_place_to_confirmed_seconds")

    /// Every series at zero, so rates and alerts see the first event.
    static func declare() {
        for counter in [Self.placed, Self.confirmed, Self.deadlineCancellations] { counter.increment(by: 0) }
        _ = Self.placeToConfirmed
        for step in OrderSaga.Step.remoteLabels + ["confirm", "expire", "finish_cancellation"] {
            _ = Metrics.Timer(label: "order_saga_step_duration_seconds", dimensions: [("step", step)])
        }
        MetricCatalog.declareCounter("order_saga_events_total", dimension: "type", values: OrderEventKind.typeNames)
        MetricCatalog.declareCounter("orders_cancelled_total", dimension: "reason", values: CancellationReason.allCases.map(\.rawValue))
        MetricCatalog.declareCounter("order_saga_step_retries_total", dimension: "step", values: OrderSaga.Step.remoteLabels)
    }

    /// Counts an event the saga recorded; `placedAtMillis` is when the order was placed.
    static func recorded(_ event: OrderEvent, placedAtMillis: Int64?) {
        Counter(label: "order_saga_events_total", dimensions: [("type", event.kind.type)]).increment()
        switch event.kind {
        case .confirmed:
            Self.confirmed.increment()
            if let placedAtMillis {
                let (elapsed, overflow) = event.occurredAtMillis.subtractingReportingOverflow(placedAtMillis)
                if !overflow, elapsed >= 0 { Self.placeToConfirmed.recordMilliseconds(elapsed) }
            }
        case .cancelled(let reason):
            Counter(label: "orders_cancelled_total", dimensions: [("reason", reason.rawValue)]).increment()
            if reason == .deadlineExceeded { Self.deadlineCancellations.increment() }
        default:
            break
        }
    }
}

extension OrderSaga.Step {
    /// The step as a metric label and span name (`reserve_stock`, ...).
    var metricLabel: String {
        switch self {
        case .reserveStock: "reserve_stock"
        case .authorizePayment: "authorize_payment"
        case .commitStock: "commit_stock"
        case .capturePayment: "capture_payment"
        case .confirm: "confirm"
        case .expire: "expire"
        case .cancelPayment: "cancel_payment"
        case .releaseStock: "release_stock"
        case .finishCancellation: "finish_cancellation"
        case .done: "done"
        }
    }

    /// The labels of the steps that call another service (the ones that can be retried).
    static let remoteLabels = ["reserve_stock", "authorize_payment", "commit_stock", "capture_payment", "cancel_payment", "release_stock"]
}
