import Logging
import ServiceKit
import Testing

/// One breaker per service instance, listed for status pages.
struct BreakerRegistryTests {
    private static let policy = CircuitBreakerPolicy(
        failureRateThreshold: 0.5,
        minimumCalls: 2,
        window: .seconds(10),
        openDuration: .seconds(5),
        halfOpenProbes: 1
    )
    private let first = ServiceInstance(id: "http://10.0.0.1:8083", baseURL: "http://10.0.0.1:8083")
    private let second = ServiceInstance(id: "http://10.0.0.2:8083", baseURL: "http://10.0.0.2:8083")

    @Test func theSameInstanceGetsTheSameBreaker() {
        let registry = BreakerRegistry(policy: Self.policy, logger: Logger(label: "test"))
        let breaker = registry.breaker(service: "product", instance: self.first)
        #expect(registry.breaker(service: "product", instance: self.first) === breaker)
        #expect(registry.breaker(service: "product", instance: ServiceInstance(id: self.first.id, baseURL: self.first.baseURL)) === breaker)
        #expect(registry.breaker(service: "product", instance: self.second) !== breaker)
        #expect(registry.breaker(service: "order", instance: self.first) !== breaker)
    }

    @Test func breakersUseTheRegistryPolicy() {
        let registry = BreakerRegistry(policy: Self.policy, logger: Logger(label: "test"))
        #expect(registry.breaker(service: "product", instance: self.first).policy == Self.policy)
    }

    @Test func entriesListServiceInstanceAndStateSorted() throws {
        let time = ManualTime()
        let registry = BreakerRegistry(policy: Self.policy, time: time.source, logger: Logger(label: "test"))
        #expect(registry.entries.isEmpty)
        let failing = registry.breaker(service: "product", instance: self.second)
        _ = registry.breaker(service: "product", instance: self.first)
        _ = registry.breaker(service: "order", instance: self.first)
        for _ in 0..<2 {
            let permit = try #require(failing.acquire())
            failing.record(permit, success: false)
        }
        #expect(
            registry.entries.map { "\($0.service) \($0.instance) \($0.state)" } == [
                "order http://10.0.0.1:8083 closed",
                "product http://10.0.0.1:8083 closed",
                "product http://10.0.0.2:8083 open",
            ]
        )
        time.advance(by: .seconds(5))
        #expect(registry.entries.last?.state == "half-open")
    }

    @Test func transitionsAreLoggedWithTheInstance() throws {
        let logs = LogCapture()
        let registry = BreakerRegistry(policy: Self.policy, logger: logs.logger())
        let breaker = registry.breaker(service: "product", instance: self.first)
        for _ in 0..<2 {
            let permit = try #require(breaker.acquire())
            breaker.record(permit, success: false)
        }
        let record = try #require(try logs.records().first { $0["message"] == "circuit breaker changed state" })
        #expect(record["level"] == "warning")
        #expect(record.metadata["breaker.service"] as? String == "product")
        #expect(record.metadata["breaker.instance"] as? String == "http://10.0.0.1:8083")
        #expect(record.metadata["breaker.from"] as? String == "closed")
        #expect(record.metadata["breaker.to"] as? String == "open")
    }
}
