import Metrics
import Prometheus

/// Histogram buckets, and counters that exist before their first event.
///
/// The names and labels every service exports are listed in `deploy/monitoring/metrics.md`;
/// dashboards and alert rules use nothing else (`make test` checks it).
public enum MetricCatalog {
    /// Latency buckets of every `*_seconds` histogram, from 1 ms to 10 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Checkout is judged against 2 s (its SLO), so its histogram has that bound.
    static let checkoutBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        factory.durationHistogramBuckets = ["order_place_to_confirmed_seconds": Self.checkoutBuckets]
        return factory
    }

    /// Creates the counter `label` at zero for every value of its one dimension, so `rate()` and
    /// `increase()` see the first event and a dashboard shows 0 rather than no data.
    public static func declareCounter(_ label: String, dimension: String, values: [String]) {
        for value in values {
            Counter(label: label, dimensions: [(dimension, value)]).increment(by: 0)
        }
    }

    /// Creates the counter `label` without dimensions at zero.
    public static func declareCounter(_ label: String) {
        Counter(label: label).increment(by: 0)
    }
}
