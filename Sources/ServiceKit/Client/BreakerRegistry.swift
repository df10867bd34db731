import Logging
import Metrics
import Synchronization

/// One circuit breaker per upstream instance, created on first use, reporting its state as the
/// `service_client_breaker_state` gauge (0 closed, 1 half-open, 2 open), counting transitions in
/// `service_client_breaker_transitions_total{service,to}` and logging them.
public final class BreakerRegistry: Sendable {
    /// A breaker's identity and state, for status pages.
    public struct Entry: Sendable, Codable, Equatable {
        public var service: String
        public var instance: String
        public var state: String

        public init(service: String, instance: String, state: String) {
            self.service = service
            self.instance = instance
            self.state = state
        }
    }

    private let policy: CircuitBreakerPolicy
    private let time: TimeSource
    private let logger: Logger
    private let breakers = Mutex<[String: (service: String, instance: String, breaker: CircuitBreaker)]>([:])

    public init(policy: CircuitBreakerPolicy, time: TimeSource = .continuous, logger: Logger) {
        self.policy = policy
        self.time = time
        self.logger = logger
    }

    /// The breaker of one instance of a service, by its HTTP base URL.
    public func breaker(service: String, instance: ServiceInstance) -> CircuitBreaker {
        self.breaker(service: service, id: instance.id, upstream: instance.baseURL)
    }

    /// The breaker of one instance of a service, by its gRPC address.
    public func breaker(service: String, instance: RPCInstance) -> CircuitBreaker {
        self.breaker(service: service, id: "grpc|" + instance.id, upstream: instance.address.description)
    }

    /// The breaker of the instance `id` of a service, named `upstream` in metrics and logs.
    func breaker(service: String, id: String, upstream: String) -> CircuitBreaker {
        let key = service + "|" + id
        if let existing = self.breakers.withLock({ $0[key]?.breaker }) { return existing }
        let gauge = Gauge(label: "service_client_breaker_state", dimensions: [("service", service), ("upstream", upstream)])
        let logger = self.logger
        let breaker = CircuitBreaker(policy: self.policy, time: self.time) { from, to in
            gauge.record(to.rawValue)
            Counter(label: "service_client_breaker_transitions_total", dimensions: [("service", service), ("to", to.metricLabel)]).increment()
            let level: Logger.Level = to == .open ? .warning : .info
            logger.log(
                level: level,
                "circuit breaker changed state",
                metadata: [
                    "breaker.service": "\(service)", "breaker.instance": "\(upstream)", "breaker.from": "\(from)", "breaker.to": "\(to)",
                ]
            )
        }
        let stored = self.breakers.withLock { breakers in
            if let raced = breakers[key] { return raced.breaker }
            breakers[key] = (service, upstream, breaker)
            return breaker
        }
        if stored === breaker {
            gauge.record(CircuitBreaker.State.closed.rawValue)
            let states: [CircuitBreaker.State] = [.closed, .halfOpen, .open]
            for state in states {
                Counter(label: "service_client_breaker_transitions_total", dimensions: [("service", service), ("to", state.metricLabel)])
                    .increment(by: 0)
            }
        }
        return stored
    }

    /// Every breaker created so far and its state.
    public var entries: [Entry] {
        let all = self.breakers.withLock { Array($0.values) }
        return all.map { Entry(service: $0.service, instance: $0.instance, state: $0.breaker.state.description) }
            .sorted { ($0.service, $0.instance) < ($1.service, $1.instance) }
    }
}

extension CircuitBreaker.State {
    /// The state as a Prometheus label value (`closed`, `half_open`, `open`).
    var metricLabel: String {
        switch self {
        case .closed: "closed"
        case .halfOpen: "half_open"
        case .open: "open"
        }
    }
}
