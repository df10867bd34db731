import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// Calls other services: resolves the name through discovery, balances round-robin over
/// instances whose breaker admits the call, applies a timeout, propagates `X-Request-ID` and
/// `traceparent`, and turns failures into ``ServiceClientError``.
public final class ServiceClient: Sendable {
    /// The process's one HTTP client (redirects off, explicit timeouts).
    public let httpClient: HTTPClient
    /// Breakers of the instances called so far.
    public let breakers: BreakerRegistry
    /// Bulkheads of the services called so far.
    public let bulkheads: BulkheadRegistry
    let discovery: any ServiceDiscovery
    let settings: ClientSettings
    let retry: RetryPolicy
    private let picker = InstancePicker()

    public init(httpClient: HTTPClient, discovery: any ServiceDiscovery, settings: ClientSettings, breakers: BreakerRegistry) {
        self.httpClient = httpClient
        self.discovery = discovery
        self.settings = settings
        self.breakers = breakers
        self.retry = settings.retry
        self.bulkheads = BulkheadRegistry(limit: settings.maxConcurrentCalls)
    }

    /// Creates the process's HTTP client with redirects disallowed and explicit timeouts.
    public static func makeHTTPClient(settings: ClientSettings, logger: Logger) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(
            connect: .nanoseconds(settings.connectTimeout.nanoseconds),
            read: .nanoseconds(settings.timeout.nanoseconds)
        )
        configuration.decompression = .disabled
        // A client span per call, and its `traceparent` on the request (the tracer of
        // Observability.bootstrap, which runs before any client is made).
        configuration.tracing.tracer = InstrumentationSystem.tracer
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A refused connection must fail the call now (the breaker and the caller decide what
        // next), not be retried silently until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: logger)
    }

    /// The instances of `service` as discovery knows them.
    public func instances(of service: String) async throws -> [ServiceInstance] {
        try await self.discovery.instances(of: service)
    }

    /// Sends `request` (whose `url` is a path such as `/v1/products?limit=2`) to an instance of
    /// `service` and returns as soon as the response head arrives; the body streams.
    ///
    /// Calls to one service are bounded by its bulkhead (the excess fails at once as
    /// unavailable). A `retryable` request (idempotent, or carrying an idempotency key, and with a
    /// body that can be sent again) is retried on another pick after a refused connection, an open
    /// breaker, a timeout or a 502/503/504, with backoff and full jitter, never sooner than the
    /// callee's `Retry-After` and never past the caller's deadline. A 5xx answer counts as a
    /// breaker failure but the last one is returned, so a proxy can pass it on.
    public func stream(
        _ request: HTTPClientRequest,
        to service: String,
        propagating headers: PropagationHeaders?,
        timeout: Duration? = nil,
        retryable: Bool = false,
        logger: Logger
    ) async throws(ServiceClientError) -> HTTPClientResponse {
        let bulkhead = self.bulkheads.bulkhead(for: service)
        guard bulkhead.tryAcquire() else {
            throw .unavailable(service: service, reason: "more than \(bulkhead.limit) calls in flight (bulkhead)")
        }
        defer { bulkhead.release() }
        let attempts = retryable ? self.retry.maxAttempts : 1
        var attempt = 1
        while true {
            let outcome: Result<HTTPClientResponse, ServiceClientError>
            do {
                outcome = .success(try await self.attempt(request, to: service, propagating: headers, timeout: timeout, logger: logger))
            } catch {
                outcome = .failure(error)
            }
            let retryAfter: Duration?
            switch outcome {
            case .success(let response) where attempt < attempts && [502, 503, 504].contains(response.status.code):
                retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            case .success(let response):
                return response
            case .failure(let error) where attempt < attempts && error.isTransient:
                retryAfter = nil
            case .failure(let error):
                throw error
            }
            let delay = self.retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
            let pastDeadline = headers?.deadline.map { ContinuousClock.now + delay >= $0 } ?? false
            // A callee asking for a long wait (a Retry-After beyond 30 s, or 5 × the longest
            // backoff) gets its answer passed on rather than a caller parked on a bulkhead slot.
            if pastDeadline || delay > max(self.retry.maximumDelay * 5, .seconds(30)) {
                // No time for another try: the last answer (or failure) is the answer.
                switch outcome {
                case .success(let response): return response
                case .failure(let error): throw error
                }
            }
            if case .success(let response) = outcome {
                // The answer is dropped for another try; read it out so the connection can be reused.
                _ = try? await response.body.collect(upTo: 64 * 1024)
            }
            logger.debug("retrying a call", metadata: ["upstream.service": "\(service)", "retry.attempt": "\(attempt)", "retry.in": "\(delay)"])
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .unavailable(service: service, reason: "cancelled while waiting to retry")
            }
            attempt += 1
        }
    }

    /// One try on one instance.
    private func attempt(
        _ request: HTTPClientRequest,
        to service: String,
        propagating headers: PropagationHeaders?,
        timeout: Duration?,
        logger: Logger
    ) async throws(ServiceClientError) -> HTTPClientResponse {
        var limit = timeout ?? self.settings.timeout
        if let deadline = headers?.deadline {
            // Nobody works past the caller's deadline: the call gets what is left of it.
            let remaining = deadline - ContinuousClock.now
            guard remaining > .milliseconds(1) else { throw .timeout(service: service, after: .zero) }
            limit = min(limit, remaining)
        }
        let candidates: [ServiceInstance]
        do {
            candidates = try await self.discovery.instances(of: service)
        } catch {
            throw .unavailable(service: service, reason: "discovery failed: \(error)")
        }
        guard !candidates.isEmpty else { throw .unavailable(service: service, reason: "no instance is known") }
        guard let (instance, breaker, permit) = await self.pick(service: service, from: candidates, logger: logger) else {
            throw .unavailable(service: service, reason: "every instance's circuit breaker is open")
        }
        var outbound = request
        outbound.url = instance.baseURL + request.url
        if let headers {
            outbound.headers.replaceOrAdd(name: "X-Request-ID", value: headers.requestID)
            if headers.deadline != nil {
                outbound.headers.replaceOrAdd(name: RequestDeadline.headerName, value: String(Int64(limit / .milliseconds(1))))
            }
        }
        do {
            let response = try await self.httpClient.execute(outbound, timeout: .nanoseconds(limit.nanoseconds), logger: logger)
            // Only the callee's own failures count; any other answer, 4xx or 5xx, is an answer.
            breaker.record(permit, success: !InstanceFailure.isMarked(response.headers))
            return response
        } catch {
            breaker.record(permit, success: false)
            throw Self.classify(error, service: service, instance: instance, timeout: limit, logger: logger)
        }
    }

    /// Sends a request and collects the answer; a 4xx/5xx answer throws ``ServiceClientError/problem(service:_:)``.
    public func send(
        _ method: HTTPMethod,
        _ path: String,
        to service: String,
        body: ByteBuffer? = nil,
        headers: HTTPHeaders = [:],
        propagating propagation: PropagationHeaders?,
        timeout: Duration? = nil,
        logger: Logger
    ) async throws(ServiceClientError) -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: path)
        request.method = method
        request.headers = headers
        if let body {
            request.body = .bytes(body)
            if !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: "application/json") }
        }
        let retryable = RetryPolicy.mayRetry(method, hasIdempotencyKey: headers.contains(name: "Idempotency-Key"))
        let response = try await self.stream(
            request,
            to: service,
            propagating: propagation,
            timeout: timeout,
            retryable: retryable,
            logger: logger
        )
        let collected: ByteBuffer
        do {
            collected = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch {
            throw .invalidResponse(service: service, reason: "body could not be read: \(error)")
        }
        let status = Int(response.status.code)
        if status >= 400 {
            let problem =
                (try? JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: collected)))
                ?? ProblemDetails(type: "/problems/upstream-error", title: response.status.reasonPhrase, status: status, detail: "")
            throw .problem(service: service, problem)
        }
        return (status, collected)
    }

    /// The instance to call (see ``InstancePicker``), probing open breakers with a health check.
    private func pick(service: String, from instances: [ServiceInstance], logger: Logger) async -> InstancePicker.Choice<ServiceInstance>? {
        await self.picker.pick(
            service: service,
            from: instances,
            breaker: { self.breakers.breaker(service: service, instance: $0) },
            probe: { instance, breaker, permit in await self.probe(instance, of: service, breaker: breaker, permit: permit, logger: logger) }
        )
    }

    /// Asks an instance whose breaker is half-open for `GET /health/ready` and records the answer
    /// as the probe's outcome.
    private func probe(
        _ instance: ServiceInstance,
        of service: String,
        breaker: CircuitBreaker,
        permit: CircuitBreaker.Permit,
        logger: Logger
    ) async {
        var request = HTTPClientRequest(url: instance.baseURL + "/health/ready")
        request.method = .GET
        let healthy: Bool
        do {
            let response = try await self.httpClient.execute(
                request,
                timeout: .nanoseconds(self.settings.connectTimeout.nanoseconds * 2),
                logger: logger
            )
            _ = try? await response.body.collect(upTo: 64 * 1024)
            healthy = response.status == .ok
        } catch {
            healthy = false
        }
        logger.debug(
            "probed an instance behind a half-open breaker",
            metadata: ["upstream.service": "\(service)", "upstream.instance": "\(instance.baseURL)", "probe.healthy": "\(healthy)"]
        )
        breaker.record(permit, success: healthy)
    }

    private static func classify(
        _ error: any Error,
        service: String,
        instance: ServiceInstance,
        timeout: Duration,
        logger: Logger
    ) -> ServiceClientError {
        logger.warning(
            "call to service failed",
            metadata: ["upstream.service": "\(service)", "upstream.instance": "\(instance.baseURL)", "error": "\(error)"]
        )
        if let problem = error as? ProblemError, problem.status == .contentTooLarge {
            // The caller's own body was over the limit while streaming it upstream.
            return .problem(service: service, problem.details(instance: nil, requestId: nil))
        }
        if let clientError = error as? HTTPClientError, clientError == .deadlineExceeded || clientError == .readTimeout {
            return .timeout(service: service, after: timeout)
        }
        return .unavailable(service: service, reason: "\(error)")
    }
}
