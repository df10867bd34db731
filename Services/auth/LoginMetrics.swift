import Metrics
import ServiceKit

/// `auth_login_failures_total{reason}`: logins refused for a wrong email or password, or
/// because the throttle holds the account or address back.
enum LoginMetrics {
    enum Reason: String, CaseIterable {
        case badCredentials = "bad_credentials"
        case throttled
    }

    /// Every reason at zero, so rates see the first failure.
    static func declare() {
        MetricCatalog.declareCounter("auth_login_failures_total", dimension: "reason", values: Reason.allCases.map(\.rawValue))
    }

    static func failed(_ reason: Reason) {
        Counter(label: "auth_login_failures_total", dimensions: [("reason", reason.rawValue)]).increment()
    }
}
