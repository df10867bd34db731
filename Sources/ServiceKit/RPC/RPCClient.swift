import GRPCCore
import GRPCNIOTransportHTTP2
import InternalAPI
import Logging
import ServiceLifecycle
import Synchronization
import Tracing

/// Calls other services' gRPC methods with the same guarantees as every internal call:
/// discovery (static or the Redis registry), round-robin over instances whose breaker admits
/// the call, a bulkhead per service, the caller's remaining budget as the gRPC deadline, the
/// request id and trace context in metadata, a client span per call, and retries with backoff
/// and full jitter for idempotent calls.
///
/// A breaker counts only what says the instance failed: a transport failure, `UNAVAILABLE` or
/// `DEADLINE_EXCEEDED`. Any other status is the callee's answer ("not found", "out of stock")
/// and counts as a success; it reaches the caller as ``ServiceClientError/rejected(service:_:)``.
///
/// One HTTP/2 connection per instance, made on first use and kept; it runs as a Service of the
/// process's ServiceGroup, which closes every connection on shutdown.
public final class RPCClient: Service, Sendable {
    public typealias Transport = HTTP2ClientTransport.Posix
    public typealias Client = GRPCClient<Transport>

    /// Breakers of the instances called so far (shared with the HTTP client's).
    public let breakers: BreakerRegistry
    let bulkheads: BulkheadRegistry
    let discovery: any ServiceDiscovery
    let settings: ClientSettings
    let logger: Logger
    private let picker = InstancePicker()
    private let connections = Mutex<Connections>(Connections())

    private struct Connections {
        var clients: [RPCAddress: (service: String, client: Client, running: Task<Void, Never>)] = [:]
        var closed = false
    }

    public init(discovery: any ServiceDiscovery, settings: ClientSettings, breakers: BreakerRegistry, bulkheads: BulkheadRegistry, logger: Logger) {
        self.discovery = discovery
        self.settings = settings
        self.breakers = breakers
        self.bulkheads = bulkheads
        self.logger = logger
    }

    /// Runs until graceful shutdown, then closes every connection once its calls are done.
    public func run() async throws {
        try? await gracefulShutdown()
        await self.close()
    }

    /// Closes every connection (graceful: calls in flight finish).
    public func close() async {
        let all = self.connections.withLock { state in
            state.closed = true
            defer { state.clients = [:] }
            return Array(state.clients.values)
        }
        for (_, client, _) in all { client.beginGracefulShutdown() }
        for (_, _, running) in all { await running.value }
    }

    /// Calls `method` of `service` through `body`, which makes the call on the client it is
    /// given with the metadata and options it is given.
    ///
    /// - Parameters:
    ///   - idempotent: whether the call may be made again after a transient failure (reads,
    ///     and mutations that carry an idempotency key).
    ///   - metadata: what the call carries besides the request id and trace context.
    ///   - timeout: the most one try may take (the client timeout by default); never more than
    ///     what is left of the caller's deadline.
    public func call<Result: Sendable>(
        _ method: MethodDescriptor,
        of service: String,
        idempotent: Bool,
        metadata: Metadata = [:],
        propagating propagation: PropagationHeaders?,
        timeout: Duration? = nil,
        logger: Logger,
        _ body: @Sendable (Client, Metadata, CallOptions) async throws -> Result
    ) async throws(ServiceClientError) -> Result {
        let bulkhead = self.bulkheads.bulkhead(for: service)
        guard bulkhead.tryAcquire() else {
            throw .unavailable(service: service, reason: "more than \(bulkhead.limit) calls in flight (bulkhead)")
        }
        defer { bulkhead.release() }
        let retry = self.settings.retry
        let attempts = idempotent ? retry.maxAttempts : 1
        var attempt = 1
        while true {
            do {
                return try await self.attempt(
                    method,
                    of: service,
                    metadata: metadata,
                    propagation: propagation,
                    timeout: timeout,
                    logger: logger,
                    body
                )
            } catch  where attempt < attempts && error.isTransient {
                let delay = retry.delay(afterAttempt: attempt, retryAfter: nil)
                if let deadline = propagation?.deadline, ContinuousClock.now + delay >= deadline { throw error }
                logger.debug(
                    "retrying a call",
                    metadata: ["upstream.service": "\(service)", "rpc.method": "\(method)", "retry.attempt": "\(attempt)", "retry.in": "\(delay)"]
                )
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .unavailable(service: service, reason: "cancelled while waiting to retry")
                }
                attempt += 1
            }
        }
    }

    /// One try on one instance.
    private func attempt<Result: Sendable>(
        _ method: MethodDescriptor,
        of service: String,
        metadata: Metadata,
        propagation: PropagationHeaders?,
        timeout: Duration?,
        logger: Logger,
        _ body: @Sendable (Client, Metadata, CallOptions) async throws -> Result
    ) async throws(ServiceClientError) -> Result {
        var limit = timeout ?? self.settings.timeout
        if let deadline = propagation?.deadline {
            // Nobody works past the caller's deadline: the call gets what is left of it.
            let remaining = deadline - ContinuousClock.now
            guard remaining > .milliseconds(1) else { throw .timeout(service: service, after: .zero) }
            limit = min(limit, remaining)
        }
        let candidates: [RPCInstance]
        do {
            candidates = try await self.discovery.rpcInstances(of: service)
        } catch {
            throw .unavailable(service: service, reason: "discovery failed: \(error)")
        }
        guard !candidates.isEmpty else { throw .unavailable(service: service, reason: "no instance is known") }
        self.forget(service: service, keeping: candidates)
        guard let (instance, breaker, permit) = await self.pick(service: service, from: candidates, logger: logger) else {
            throw .unavailable(service: service, reason: "every instance's circuit breaker is open")
        }
        var options = CallOptions.defaults
        options.timeout = limit
        // A connection that cannot be made fails the call now; the breaker and the caller decide.
        options.waitForReady = false
        var metadata = metadata
        if let propagation { metadata.replaceOrAddString(propagation.requestID, forKey: RPCMetadataKey.requestID) }
        do {
            let client = try self.client(for: instance.address, of: service)
            let result = try await withSpan(method.fullyQualifiedMethod, ofKind: .client) { span in
                span.attributes["rpc.system"] = "grpc"
                span.attributes["rpc.service"] = method.service.fullyQualifiedService
                span.attributes["rpc.method"] = method.method
                span.attributes["server.address"] = instance.address.host
                span.attributes["server.port"] = instance.address.port
                InstrumentationSystem.instrument.inject(span.context, into: &metadata, using: MetadataInjector())
                do {
                    return try await body(client, metadata, options)
                } catch let error as RPCError {
                    span.attributes["rpc.grpc.status_code"] = error.code.rawValue
                    if error.code.isServerFault {
                        span.recordError(error)
                        span.setStatus(SpanStatus(code: .error))
                    }
                    throw error
                }
            }
            breaker.record(permit, success: true)
            return result
        } catch let error as RPCError where error.code != .unavailable && error.code != .deadlineExceeded {
            // The callee answered: not the instance's failure.
            breaker.record(permit, success: true)
            throw .rejected(service: service, RPCRejection(error))
        } catch {
            breaker.record(permit, success: false)
            logger.warning(
                "call to service failed",
                metadata: ["upstream.service": "\(service)", "upstream.instance": "\(instance)", "rpc.method": "\(method)", "error": "\(error)"]
            )
            if let error = error as? RPCError, error.code == .deadlineExceeded { throw .timeout(service: service, after: limit) }
            throw .unavailable(service: service, reason: "\(error)")
        }
    }

    /// The addresses this client holds a connection to.
    var connectedAddresses: Set<RPCAddress> {
        self.connections.withLock { Set($0.clients.keys) }
    }

    /// Closes the connections to instances of `service` that discovery no longer lists (a
    /// replica gone, a pod moved), so none of them keeps reconnecting to an address nobody
    /// serves; calls in flight on them finish first.
    private func forget(service: String, keeping instances: [RPCInstance]) {
        let live = Set(instances.map(\.address))
        let gone = self.connections.withLock { state -> [Client] in
            let stale = state.clients.filter { $0.value.service == service && !live.contains($0.key) }
            for address in stale.keys { state.clients[address] = nil }
            return stale.values.map(\.client)
        }
        for client in gone { client.beginGracefulShutdown() }
    }

    /// The connection to `address` (an instance of `service`), made on first use.
    func client(for address: RPCAddress, of service: String) throws -> Client {
        if let existing = self.connections.withLock({ $0.clients[address]?.client }) { return existing }
        var config = Transport.Config.defaults
        config.connection.maxIdleTime = .seconds(300)
        config.backoff.initial = .milliseconds(100)
        config.backoff.max = .seconds(2)
        let transport = try Transport(target: .dns(host: address.host, port: address.port), transportSecurity: .plaintext, config: config)
        let client = Client(transport: transport)
        let (stored, start) = try self.connections.withLock { state -> (Client, Bool) in
            guard !state.closed else { throw RPCError(code: .unavailable, message: "The client is shut down.") }
            if let raced = state.clients[address] { return (raced.client, false) }
            let logger = self.logger
            let running = Task {
                do {
                    try await client.runConnections()
                } catch {
                    logger.warning("grpc connection ended", metadata: ["upstream.instance": "\(address)", "error": "\(error)"])
                }
            }
            state.clients[address] = (service, client, running)
            return (client, true)
        }
        if !start { client.beginGracefulShutdown() }
        return stored
    }

    /// The instance to call (see ``InstancePicker``), probing open breakers with a health check.
    private func pick(service: String, from instances: [RPCInstance], logger: Logger) async -> InstancePicker.Choice<RPCInstance>? {
        await self.picker.pick(
            service: service,
            from: instances,
            breaker: { self.breakers.breaker(service: service, instance: $0) },
            probe: { instance, breaker, permit in await self.probe(instance, of: service, breaker: breaker, permit: permit, logger: logger) }
        )
    }

    /// Asks an instance behind a half-open breaker for its `grpc.health.v1` status and records
    /// the answer as the probe's outcome.
    private func probe(_ instance: RPCInstance, of service: String, breaker: CircuitBreaker, permit: CircuitBreaker.Permit, logger: Logger) async {
        var options = CallOptions.defaults
        options.timeout = self.settings.connectTimeout * 2
        options.waitForReady = false
        let healthy: Bool
        do {
            let health = Grpc_Health_V1_Health.Client(wrapping: try self.client(for: instance.address, of: service))
            healthy = try await health.check(.init(), options: options).status == .serving
        } catch {
            healthy = false
        }
        logger.debug(
            "probed an instance behind a half-open breaker",
            metadata: ["upstream.service": "\(service)", "upstream.instance": "\(instance)", "probe.healthy": "\(healthy)"]
        )
        breaker.record(permit, success: healthy)
    }
}
