import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization
import Testing

/// Retries, the bulkhead and deadline propagation of ``ServiceClient`` over real sockets: a live
/// Hummingbird app plays the `product` service, with plain routes that count their calls.
@Suite(.serialized)
struct ServiceClientResilienceTests {
    private static let logger = Logger(label: "service-client-resilience-test")

    /// Counts the calls a route received (and what they carried).
    private final class Calls: Sendable {
        private let state = Mutex<[String]>([])

        /// Records a call and returns its number, from 1.
        @discardableResult
        func record(_ note: String = "") -> Int {
            self.state.withLock {
                $0.append(note)
                return $0.count
            }
        }

        var count: Int { self.state.withLock { $0.count } }
        var notes: [String] { self.state.withLock { $0 } }
    }

    /// Answers 503 (with `Retry-After` when given) for the first `failures` calls, then 200 `ok`.
    private static func failing(
        _ failures: Int,
        retryAfter: String? = nil,
        calls: Calls
    ) -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        { request, _ in
            let body = try await request.body.collect(upTo: 4096)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? "-"
            let number = calls.record("\(key) \(String(buffer: body))")
            guard number > failures else {
                var headers = HTTPFields()
                if let retryAfter { headers[.retryAfter] = retryAfter }
                return Response(status: .serviceUnavailable, headers: headers)
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
    }

    /// Serves `router` on a free port and runs `body` with a ServiceClient whose `product` is that
    /// server: 3 attempts, 10 ms initial backoff; `environment` overrides settings.
    private func withProduct(
        _ router: Router<BasicRequestContext>,
        environment: [String: String] = [:],
        extraURLs: [String] = [],
        _ body: @Sendable (ServiceClient) async throws -> Void
    ) async throws {
        try await Application(router: router, logger: Self.logger).test(.live) { client in
            let port = try #require(client.port)
            let urls = (extraURLs + ["http://127.0.0.1:\(port)"]).joined(separator: ",")
            let defaults = [
                "SERVICES_PRODUCT_URLS": urls,
                "CLIENT_RETRY_ATTEMPTS": "3",
                "CLIENT_RETRY_INITIAL_SECONDS": "0.01",
                "CLIENT_RETRY_MAX_SECONDS": "0.05",
                "CLIENT_TIMEOUT_SECONDS": "5",
            ]
            let settings = try ClientSettings(settings: SettingsReader(environment: defaults.merging(environment) { _, new in new }))
            let http = ServiceClient.makeHTTPClient(settings: settings, logger: Self.logger)
            let services = ServiceClient(
                httpClient: http,
                discovery: StaticDiscovery(endpoints: settings.endpoints),
                settings: settings,
                breakers: BreakerRegistry(policy: settings.breaker, logger: Self.logger)
            )
            do {
                try await body(services)
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    /// The status of a `.problem` error, failing the test for any other outcome.
    private static func problemStatus(
        _ error: ServiceClientError?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int? {
        guard case .problem(let service, let problem) = error else {
            Issue.record("expected a problem answer, got \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        #expect(service == "product", sourceLocation: sourceLocation)
        return problem.status
    }

    private static func propagation(deadline: ContinuousClock.Instant?) -> PropagationHeaders {
        PropagationHeaders(requestID: "r", deadline: deadline)
    }

    // MARK: Retries

    @Test func aGetAnswering503TwiceThen200Succeeds() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/flaky", use: Self.failing(2, calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let (status, body) = try await services.send(.GET, "/v1/flaky", to: "product", propagating: nil, logger: Self.logger)
            #expect(status == 200)
            #expect(String(buffer: body) == "ok")
            #expect(calls.count == 3)
        }
    }

    @Test func aGetThatKeepsFailingStopsAfterMaxAttemptsWithTheLastAnswer() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/down", use: Self.failing(100, calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(.GET, "/v1/down", to: "product", propagating: nil, logger: Self.logger)
            }
            #expect(Self.problemStatus(error) == 503)
            #expect(calls.count == 3)
        }
    }

    @Test func oneAttemptMeansNoRetry() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/flaky", use: Self.failing(1, calls: calls))
        try await self.withProduct(router, environment: ["CLIENT_RETRY_ATTEMPTS": "1"]) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(.GET, "/v1/flaky", to: "product", propagating: nil, logger: Self.logger)
            }
            #expect(Self.problemStatus(error) == 503)
            #expect(calls.count == 1)
        }
    }

    @Test func aPostWithoutAnIdempotencyKeyIsNotRetried() async throws {
        let calls = Calls()
        let router = Router()
        router.post("/v1/orders", use: Self.failing(1, calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(
                    .POST,
                    "/v1/orders",
                    to: "product",
                    body: ByteBuffer(string: "{\"n\":1}"),
                    propagating: nil,
                    logger: Self.logger
                )
            }
            #expect(Self.problemStatus(error) == 503)
            #expect(calls.count == 1)
        }
    }

    @Test func aPostWithAnIdempotencyKeyIsRetriedWithTheSameKeyAndBody() async throws {
        let calls = Calls()
        let router = Router()
        router.post("/v1/orders", use: Self.failing(2, calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let (status, _) = try await services.send(
                .POST,
                "/v1/orders",
                to: "product",
                body: ByteBuffer(string: "{\"n\":1}"),
                headers: ["Idempotency-Key": "order-7"],
                propagating: nil,
                logger: Self.logger
            )
            #expect(status == 200)
            #expect(calls.notes == Array(repeating: "order-7 {\"n\":1}", count: 3))
        }
    }

    @Test func aNonRetryable4xxIsNotRetried() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/missing") { _, _ -> Response in
            calls.record()
            return Response(status: .notFound)
        }
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(.GET, "/v1/missing", to: "product", propagating: nil, logger: Self.logger)
            }
            #expect(Self.problemStatus(error) == 404)
            #expect(calls.count == 1)
        }
    }

    @Test func aRefusedConnectionIsRetriedOnAnotherInstanceOnlyWhenRetryable() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/items", use: Self.failing(0, calls: calls))
        router.post("/v1/items", use: Self.failing(0, calls: calls))
        // Round robin starts at the first instance: port 1, which refuses.
        try await self.withProduct(router, extraURLs: ["http://127.0.0.1:1"]) { (services) async throws in
            let (status, _) = try await services.send(.GET, "/v1/items", to: "product", propagating: nil, logger: Self.logger)
            #expect(status == 200)
            #expect(calls.count == 1)
            // Third pick: port 1 again; a POST without key is not sent anywhere else.
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(.POST, "/v1/items", to: "product", propagating: nil, logger: Self.logger)
            }
            guard case .unavailable = error else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(calls.count == 1)
        }
    }

    @Test func retryAfterDelaysTheRetry() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/busy", use: Self.failing(1, retryAfter: "1", calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let clock = ContinuousClock()
            let start = clock.now
            async let result = services.send(.GET, "/v1/busy", to: "product", propagating: nil, logger: Self.logger)
            // Far beyond the 10–20 ms backoff, well before Retry-After.
            try await Task.sleep(for: .milliseconds(300))
            #expect(calls.count == 1)
            let (status, _) = try await result
            let elapsed = clock.now - start
            #expect(status == 200)
            #expect(calls.count == 2)
            #expect(elapsed >= .seconds(1))
        }
    }

    /// The doc of `stream`: retries never go past the caller's deadline, and "a 5xx answer … the last
    /// one is returned, so a proxy can pass it on". When the callee's Retry-After does not fit in
    /// the deadline, the answer in hand is the last one: it must come back, not a timeout.
    @Test func whenRetryAfterDoesNotFitTheDeadlineTheAnswerIsReturned() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/maintenance", use: Self.failing(100, retryAfter: "30", calls: calls))
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(
                    .GET,
                    "/v1/maintenance",
                    to: "product",
                    propagating: Self.propagation(deadline: .now + .seconds(2)),
                    logger: Self.logger
                )
            }
            #expect(Self.problemStatus(error) == 503)
            #expect(calls.count == 1)
        }
    }

    // MARK: Bulkhead

    @Test func theCallOverTheConcurrencyLimitFailsAtOnce() async throws {
        let calls = Calls()
        let finished = Calls()
        let gate = Gate()
        let router = Router()
        // The slow route: held until the test lets it go.
        router.get("/v1/slow") { _, _ -> String in
            calls.record()
            await gate.wait()
            finished.record()
            return "slow"
        }
        try await self.withProduct(router, environment: ["CLIENT_MAX_CONCURRENT_CALLS": "2"]) { (services) async throws in
            try await withThrowingTaskGroup(of: Int.self) { group in
                defer { gate.open() }
                for _ in 0..<2 {
                    group.addTask {
                        try await services.send(.GET, "/v1/slow", to: "product", propagating: nil, logger: Self.logger).status
                    }
                }
                let clock = ContinuousClock()
                let start = clock.now
                while calls.count < 2, clock.now - start < .seconds(5) {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(calls.count == 2)
                #expect(services.bulkheads.bulkhead(for: "product").active == 2)

                let error = await #expect(throws: ServiceClientError.self) {
                    try await services.send(.GET, "/v1/slow", to: "product", propagating: nil, logger: Self.logger)
                }
                guard case .unavailable(let service, _) = error else {
                    Issue.record("expected unavailable, got \(String(describing: error))")
                    return
                }
                #expect(service == "product")
                // At once: neither call in flight has finished, the server never saw the third.
                #expect(finished.count == 0)
                #expect(calls.count == 2)
                // Other services have bulkheads of their own.
                #expect(services.bulkheads.bulkhead(for: "order").tryAcquire())

                gate.open()
                for try await status in group { #expect(status == 200) }
            }
            #expect(services.bulkheads.bulkhead(for: "product").active == 0)
            // The slots are free again.
            let (status, _) = try await services.send(.GET, "/v1/slow", to: "product", propagating: nil, logger: Self.logger)
            #expect(status == 200)
            #expect(calls.count == 3)
        }
    }

    // MARK: Deadline propagation

    private static func echoDeadline(_ router: Router<BasicRequestContext>, calls: Calls) {
        router.get("/v1/deadline") { request, _ -> String in
            calls.record()
            return request.headers[HTTPField.Name(RequestDeadline.headerName)!] ?? "none"
        }
    }

    @Test func theRemainingBudgetTravelsInTheDeadlineHeader() async throws {
        let calls = Calls()
        let router = Router()
        Self.echoDeadline(router, calls: calls)
        try await self.withProduct(router) { (services) async throws in
            let (_, body) = try await services.send(
                .GET,
                "/v1/deadline",
                to: "product",
                propagating: Self.propagation(deadline: .now + .milliseconds(200)),
                logger: Self.logger
            )
            let milliseconds = try #require(Int(String(buffer: body)), "header: \(String(buffer: body))")
            #expect(milliseconds > 0 && milliseconds <= 200)

            // A shorter call timeout is the budget then.
            let (_, shorter) = try await services.send(
                .GET,
                "/v1/deadline",
                to: "product",
                propagating: Self.propagation(deadline: .now + .seconds(60)),
                timeout: .milliseconds(150),
                logger: Self.logger
            )
            #expect(String(buffer: shorter) == "150")

            // No deadline, no header.
            let (_, none) = try await services.send(
                .GET,
                "/v1/deadline",
                to: "product",
                propagating: Self.propagation(deadline: nil),
                logger: Self.logger
            )
            #expect(String(buffer: none) == "none")
            #expect(calls.count == 3)
        }
    }

    @Test(arguments: [HTTPMethod.GET, .POST])
    func aDeadlineAlreadyPastTimesOutWithoutCallingTheServer(method: HTTPMethod) async throws {
        let calls = Calls()
        let router = Router()
        Self.echoDeadline(router, calls: calls)
        router.post("/v1/deadline") { _, _ -> String in
            calls.record()
            return "called"
        }
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(
                    method,
                    "/v1/deadline",
                    to: "product",
                    propagating: Self.propagation(deadline: .now - .milliseconds(1)),
                    logger: Self.logger
                )
            }
            guard case .timeout(let service, _) = error else {
                Issue.record("expected timeout, got \(String(describing: error))")
                return
            }
            #expect(service == "product")
            #expect(calls.count == 0)
        }
    }

    @Test func aCallOutlivingTheDeadlineTimesOutWithoutRetryingPastIt() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/sluggish") { _, _ -> String in
            calls.record()
            try await Task.sleep(for: .seconds(2))
            return "late"
        }
        try await self.withProduct(router) { (services) async throws in
            let error = await #expect(throws: ServiceClientError.self) {
                try await services.send(
                    .GET,
                    "/v1/sluggish",
                    to: "product",
                    propagating: Self.propagation(deadline: .now + .milliseconds(300)),
                    logger: Self.logger
                )
            }
            guard case .timeout = error else {
                Issue.record("expected timeout, got \(String(describing: error))")
                return
            }
            // A timeout (the answer would have come after 2 s), and no second attempt after the deadline.
            #expect(calls.count == 1)
        }
    }

    // MARK: Breakers count only the instance's own failures

    /// A route answering `status`, marked as the instance's own failure when `marked`.
    private static func answering(
        _ status: HTTPResponse.Status,
        marked: Bool,
        calls: Calls
    ) -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        { _, _ in
            calls.record()
            var headers = HTTPFields()
            if marked, let name = InstanceFailure.fieldName { headers[name] = "true" }
            return Response(status: status, headers: headers)
        }
    }

    private static let tightBreaker = [
        "BREAKER_MINIMUM_CALLS": "3", "BREAKER_FAILURE_RATE": "0.5", "BREAKER_OPEN_SECONDS": "0.2", "CLIENT_RETRY_ATTEMPTS": "1",
    ]

    @Test(arguments: [
        (HTTPResponse.Status.unprocessableContent, false), (.conflict, false), (.serviceUnavailable, false), (.badGateway, false),
        (.internalServerError, false),
    ])
    func answersNotMarkedAsTheInstancesFailureNeverOpenTheBreaker(status: HTTPResponse.Status, marked: Bool) async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/answer", use: Self.answering(status, marked: marked, calls: calls))
        try await self.withProduct(router, environment: Self.tightBreaker) { (services) async throws in
            for _ in 0..<10 {
                var answered: ServiceClientError?
                do { _ = try await services.send(.GET, "/v1/answer", to: "product", propagating: nil, logger: Self.logger) } catch let error
                    as ServiceClientError
                {
                    answered = error
                }
                #expect(Self.problemStatus(answered) == Int(status.code))
            }
            #expect(calls.count == 10, "every call reached the instance")
            #expect(services.breakers.entries.allSatisfy { $0.state == "closed" }, "\(services.breakers.entries)")
        }
    }

    @Test func answersMarkedAsTheInstancesFailureOpenTheBreaker() async throws {
        let calls = Calls()
        let router = Router()
        router.get("/v1/answer", use: Self.answering(.internalServerError, marked: true, calls: calls))
        try await self.withProduct(router, environment: Self.tightBreaker) { (services) async throws in
            for _ in 0..<3 {
                _ = try? await services.send(.GET, "/v1/answer", to: "product", propagating: nil, logger: Self.logger)
            }
            #expect(services.breakers.entries.map(\.state) == ["open"])
            var refused: ServiceClientError?
            do { _ = try await services.send(.GET, "/v1/answer", to: "product", propagating: nil, logger: Self.logger) } catch let error
                as ServiceClientError
            { refused = error }
            guard case .unavailable = refused else {
                Issue.record("an open breaker refuses without calling: \(String(describing: refused))")
                return
            }
            #expect(calls.count == 3)
        }
    }

    @Test func aPoisonedRequestCannotKeepTheBreakerOpenBecauseHealthChecksProbe() async throws {
        // One kind of request fails as the instance's own failure every time; everything else,
        // and the instance's health check, is fine. The probe of a half-open breaker must be the
        // health check, not whichever request comes next.
        let poisoned = Calls()
        let healthy = Calls()
        let router = Router()
        router.get("/v1/poison", use: Self.answering(.internalServerError, marked: true, calls: poisoned))
        router.get("/v1/fine") { _, _ in
            healthy.record()
            return "fine"
        }
        router.get("/health/ready") { _, _ in "ok" }
        try await self.withProduct(router, environment: Self.tightBreaker) { (services) async throws in
            for _ in 0..<3 { _ = try? await services.send(.GET, "/v1/poison", to: "product", propagating: nil, logger: Self.logger) }
            #expect(services.breakers.entries.map(\.state) == ["open"])
            // Wait (bounded) until the breaker's open period is over.
            let deadline = ContinuousClock.now + .seconds(10)
            while services.breakers.entries.map(\.state) == ["open"], ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The poisoned kind comes first: the health check decides, the breaker closes, and
            // the poisoned call is answered (not refused) as what it is.
            var poisonedAnswer: ServiceClientError?
            do { _ = try await services.send(.GET, "/v1/poison", to: "product", propagating: nil, logger: Self.logger) } catch let error
                as ServiceClientError
            {
                poisonedAnswer = error
            }
            #expect(Self.problemStatus(poisonedAnswer) == 500)
            let (status, _) = try await services.send(.GET, "/v1/fine", to: "product", propagating: nil, logger: Self.logger)
            #expect(status == 200)
            #expect(healthy.count == 1)
        }
    }
}
