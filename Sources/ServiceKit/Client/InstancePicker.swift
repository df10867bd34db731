import Synchronization

/// Chooses the instance a call goes to: round-robin from the service's cursor to the first
/// instance whose circuit breaker admits the call.
///
/// Open breakers whose wait is over are probed with a health check of their instance, never
/// with the caller's call: in the background while a closed instance takes the call, or
/// first, when no instance is closed. The HTTP and the gRPC client share this rule.
final class InstancePicker: Sendable {
    /// An instance, its breaker and the permit the call holds.
    typealias Choice<Instance> = (instance: Instance, breaker: CircuitBreaker, permit: CircuitBreaker.Permit)

    private let cursor = Mutex<[String: Int]>([:])

    /// The instance of `service` to call, or `nil` when every breaker is open.
    ///
    /// - Parameters:
    ///   - breaker: the breaker of an instance.
    ///   - probe: asks an instance behind a half-open breaker whether it is healthy and records
    ///     the answer with the permit.
    func pick<Instance: Sendable>(
        service: String,
        from instances: [Instance],
        breaker: (Instance) -> CircuitBreaker,
        probe: @escaping @Sendable (Instance, CircuitBreaker, CircuitBreaker.Permit) async -> Void
    ) async -> Choice<Instance>? {
        let start = self.cursor.withLock { cursor in
            let value = cursor[service, default: 0]
            cursor[service] = value &+ 1
            return value
        }
        var chosen: Choice<Instance>?
        var probes: [Choice<Instance>] = []
        for offset in 0..<instances.count {
            let instance = instances[(start &+ offset) % instances.count]
            let instanceBreaker = breaker(instance)
            if chosen == nil, let permit = instanceBreaker.acquire() {
                chosen = (instance, instanceBreaker, permit)
            } else if let permit = instanceBreaker.acquireProbe() {
                probes.append((instance, instanceBreaker, permit))
            }
        }
        if let chosen {
            for candidate in probes {
                Task { await probe(candidate.instance, candidate.breaker, candidate.permit) }
            }
            return chosen
        }
        for candidate in probes {
            await probe(candidate.instance, candidate.breaker, candidate.permit)
            if let permit = candidate.breaker.acquire() { return (candidate.instance, candidate.breaker, permit) }
        }
        return nil
    }
}
