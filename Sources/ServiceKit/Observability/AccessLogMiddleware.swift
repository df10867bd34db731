import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// Logs one line per request and records RED metrics (rate, errors, duration) per route.
///
/// Only the path is logged, never the query string or headers, which may carry secrets; the
/// client is the address ``ClientAddressMiddleware`` derived.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    private static let deadlineField = HTTPField.Name(RequestDeadline.headerName)!

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        // Unmatched paths share one label so random URLs cannot explode the metric cardinality.
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = Int(response.status.code)
        Counter(label: "http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))]).increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)]).recordNanoseconds(
            elapsed.nanoseconds
        )
        let level: Logger.Level
        if status >= 500 {
            level = .warning
        } else if status < 400, Self.isProbe(request.uri.path) {
            // Scrapes and health probes arrive every few seconds; only their failures are news.
            level = .debug
        } else {
            level = .info
        }
        var metadata: Logger.Metadata = [
            "http.method": .string(method),
            "http.path": .string(request.uri.path),
            "http.status": .stringConvertible(status),
            "http.duration_ms": .stringConvertible(elapsed.milliseconds),
            // Derived by ClientAddressMiddleware: never a header the client chose by itself.
            "client.address": .string(request.clientAddress(context: context)),
        ]
        // The caller's time budget, when it sent one (digits only: nothing else is logged).
        if let budget = request.headers[Self.deadlineField], budget.utf8.count <= 12, budget.utf8.allSatisfy({ (48...57).contains($0) }) {
            metadata["request.deadline_ms"] = .string(budget)
        }
        context.logger.log(level: level, "request completed", metadata: metadata)
        return response
    }

    /// `GET /metrics` and the health routes.
    static func isProbe(_ path: String) -> Bool {
        path == "/metrics" || path.hasPrefix("/health/")
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }

    /// The duration in milliseconds with fractions.
    public var milliseconds: Double {
        Double(self.components.seconds) * 1000 + Double(self.components.attoseconds) / 1e15
    }

    /// The duration in seconds with fractions.
    public var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
