import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import InternalAPI
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import ServiceKit

/// A key set served from memory.
private struct FixedKeySet: KeySetSource {
    let keys: [SigningKey]

    func fetchKeySet(logger: Logger) async throws -> String {
        "{\"keys\":[" + self.keys.map(\.publicJWK).joined(separator: ",") + "]}"
    }
}

/// Discovery whose product instance can move; auth stays put.
private final class MovingDiscovery: ServiceDiscovery {
    let product: Mutex<RPCAddress>
    let auth: RPCAddress

    init(product: RPCAddress, auth: RPCAddress) {
        self.product = Mutex(product)
        self.auth = auth
    }

    func instances(of service: String) async throws -> [ServiceInstance] { [] }

    func rpcInstances(of service: String) async throws -> [RPCInstance] {
        let address = service == "auth" ? self.auth : self.product.withLock { $0 }
        return [RPCInstance(id: address.description, address: address)]
    }
}

/// What the test callee saw and did.
private final class Ledger: Sendable {
    struct State {
        /// Orders reserved, and how many times each took effect.
        var effects: [String: Int] = [:]
        /// Every Reserve call: its idempotency key, request id and whether it had a deadline.
        var calls: [(key: String?, requestID: String, hadDeadline: Bool)] = []
        /// Orders whose first answer is held back until the caller has given up.
        var slowFirstAnswer: Set<String> = []
        var releaseStarted = 0
        var releaseCompleted = 0
        var releaseCancelled = 0
        var ready = true
    }

    let state = Mutex(State())
}

/// The callee: `shop.inventory.v1.Reservations` over an in-memory ledger. Reserve takes effect
/// once per order (idempotent) and may answer slowly; Commit always refuses (a domain answer);
/// Release works for 5 s unless its deadline stops it.
private struct LedgerReservations: Shop_Inventory_V1_Reservations.SimpleServiceProtocol {
    let ledger: Ledger

    func reserve(request: Shop_Inventory_V1_ReserveRequest, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        let call = try RPCCall.requireMutation()
        let slow = self.ledger.state.withLock { state -> Bool in
            state.calls.append((call.idempotencyKey, call.requestID, call.deadline != nil))
            let first = state.effects[request.orderID] == nil
            if first { state.effects[request.orderID] = 1 }
            return first && state.slowFirstAnswer.contains(request.orderID)
        }
        // The effect is recorded; the answer is lost when the caller stops waiting first.
        if slow { try await Task.sleep(for: .seconds(5)) }
        return .with {
            $0.orderID = request.orderID
            $0.status = .reserved
        }
    }

    func commit(request: Shop_Inventory_V1_ReservationRef, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        _ = try RPCCall.requireMutation()
        throw domainError(.failedPrecondition, reason: "RESERVATION_NOT_HELD", domain: "test", message: "expired", metadata: ["status": "expired"])
    }

    func release(request: Shop_Inventory_V1_ReservationRef, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        self.ledger.state.withLock { $0.releaseStarted += 1 }
        do {
            try await Task.sleep(for: .seconds(5))
        } catch {
            self.ledger.state.withLock { $0.releaseCancelled += 1 }
            throw error
        }
        self.ledger.state.withLock { $0.releaseCompleted += 1 }
        return .with { $0.orderID = request.orderID }
    }
}

/// auth's token method, as far as ServiceKit's client side needs it.
private struct TestServiceTokens: Shop_Auth_V1_ServiceTokens.SimpleServiceProtocol {
    let signer: AccessTokenSigner
    let secret: String

    func issueToken(request: Shop_Auth_V1_IssueTokenRequest, context: ServerContext) async throws -> Shop_Auth_V1_IssueTokenResponse {
        let call = try RPCCall.require()
        guard call.credentials == "Basic " + Data("order:\(self.secret)".utf8).base64EncodedString() else {
            throw RPCError(code: .unauthenticated, message: "bad client credentials")
        }
        let token = try await self.signer.sign(InternalRPCTests.claims(subject: "order", audience: request.audience, scope: "reservations.write"))
        return .with {
            $0.accessToken = token
            $0.expiresInSeconds = 60
        }
    }
}

/// The internal gRPC API's guarantees over real sockets on 127.0.0.1: ServiceKit's server
/// (its interceptors and health service) and client (tokens, deadlines, retries, breakers).
struct InternalRPCTests {
    static let policy = TokenPolicy(issuer: "test-issuer", audience: "test-audience")
    private static let secret = "order-secret-0123456789"
    private let logger = Logger(label: "test")

    static func claims(subject: String, roles: [String] = [], audience: String, scope: String?) -> AccessTokenClaims {
        AccessTokenClaims(
            subject: subject,
            roles: roles,
            issuer: Self.policy.issuer,
            audience: audience,
            issuedAt: Date(),
            expiresAt: Date().addingTimeInterval(60),
            tokenID: UUID().uuidString,
            scope: scope
        )
    }

    /// A callee named `product` serving the ledger on a free port, and `body` given its port;
    /// `Release` has no access rule unless `releaseRule` is set.
    private func withCallee(
        ledger: Ledger,
        key: SigningKey,
        releaseRule: Bool = true,
        _ body: (Int) async throws -> Void
    ) async throws {
        let verifier = TokenVerifier(policy: Self.policy, service: "product", source: FixedKeySet(keys: [key]))
        var access: [MethodDescriptor: RPCAccess] = [
            Shop_Inventory_V1_Reservations.Method.Reserve.descriptor: .scope(.reservationsWrite),
            Shop_Inventory_V1_Reservations.Method.Commit.descriptor: .scope(.reservationsWrite),
            Shop_Auth_V1_ServiceTokens.Method.IssueToken.descriptor: .ownCredentials,
        ]
        if releaseRule { access[Shop_Inventory_V1_Reservations.Method.Release.descriptor] = .scope(.reservationsWrite) }
        let server = RPCServer(
            address: RPCAddress(host: "127.0.0.1", port: 0),
            services: RPCServices(
                services: [
                    LedgerReservations(ledger: ledger), TestServiceTokens(signer: try await AccessTokenSigner(key: key), secret: Self.secret),
                ],
                access: access
            ),
            verifier: verifier,
            isReady: { ledger.state.withLock { $0.ready } },
            logger: self.logger
        )
        try await withThrowingTaskGroup { group in
            group.addTask { try await server.server.serve() }
            defer { server.server.beginGracefulShutdown() }
            guard let port = try await server.transport.listeningAddress.ipv4?.port else {
                throw RPCError(code: .internalError, message: "no port")
            }
            try await body(port)
        }
    }

    /// A raw client of the callee, outside ServiceKit (for calls ServiceKit would never make).
    private func withRawClient(
        port: Int,
        _ body: (Shop_Inventory_V1_Reservations.Client<HTTP2ClientTransport.Posix>) async throws -> Void
    ) async throws {
        try await withGRPCClient(
            transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            try await body(Shop_Inventory_V1_Reservations.Client(wrapping: client))
        }
    }

    /// ServiceKit's client side for a callee on `port`, with `environment` as its settings.
    private func calls(port: Int, key: SigningKey, environment: [String: String] = [:]) throws -> InternalCalls {
        var environment = environment
        environment["SERVICES_PRODUCT_GRPC_ADDRESSES"] = environment["SERVICES_PRODUCT_GRPC_ADDRESSES"] ?? "127.0.0.1:\(port)"
        environment["SERVICES_AUTH_GRPC_ADDRESSES"] = "127.0.0.1:\(port)"
        let settings = try ClientSettings(settings: SettingsReader(environment: environment))
        let client = RPCClient(
            discovery: StaticDiscovery(endpoints: [:], rpcEndpoints: settings.rpcEndpoints),
            settings: settings,
            breakers: BreakerRegistry(policy: settings.breaker, logger: self.logger),
            bulkheads: BulkheadRegistry(limit: 10),
            logger: self.logger
        )
        let tokens = ServiceTokenSource.remote(clientID: "order", clientSecret: Self.secret, client: client)
        return InternalCalls(client: client, tokens: tokens)
    }

    private func reserve(
        _ calls: InternalCalls,
        order: String,
        key: String,
        deadline: Duration = .seconds(10),
        tryTimeout: Duration? = nil
    ) async throws
        -> Shop_Inventory_V1_Reservation
    {
        try await calls.call(
            Shop_Inventory_V1_Reservations.Method.Reserve.descriptor,
            of: "product",
            idempotencyKey: key,
            propagating: PropagationHeaders(requestID: "req-\(order)", deadline: .now + deadline),
            timeout: tryTimeout,
            logger: self.logger
        ) { client, metadata, options in
            try await Shop_Inventory_V1_Reservations.Client(wrapping: client).reserve(
                .with { $0.orderID = order },
                metadata: metadata,
                options: options
            )
        }
    }

    @Test func aCallWithoutAValidServiceTokenIsUnauthenticated() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        try await self.withCallee(ledger: ledger, key: key) { port in
            try await self.withRawClient(port: port) { client in
                let request = Shop_Inventory_V1_ReserveRequest.with { $0.orderID = "o-1" }
                let anonymous = await #expect(throws: RPCError.self) { try await client.reserve(request, metadata: ["idempotency-key": "k"]) }
                #expect(anonymous?.code == .unauthenticated)
                // A service token for another service is no token here.
                let signer = try await AccessTokenSigner(key: key)
                let elsewhere = try await signer.sign(Self.claims(subject: "order", audience: "payment", scope: "reservations.write"))
                let replayed = await #expect(throws: RPCError.self) {
                    try await client.reserve(request, metadata: ["authorization": "Bearer \(elsewhere)", "idempotency-key": "k"])
                }
                #expect(replayed?.code == .unauthenticated)
                let forged = await #expect(throws: RPCError.self) {
                    try await client.reserve(request, metadata: ["authorization": "Bearer \(elsewhere.dropLast(4))AAAA", "idempotency-key": "k"])
                }
                #expect(forged?.code == .unauthenticated)
            }
        }
        #expect(ledger.state.withLock { $0.calls.isEmpty }, "no call reached the handler")
    }

    @Test func aTokenWithoutTheMethodsScopeIsPermissionDenied() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        try await self.withCallee(ledger: ledger, key: key, releaseRule: false) { port in
            let signer = try await AccessTokenSigner(key: key)
            let lookupOnly = try await signer.sign(Self.claims(subject: "order", audience: "product", scope: "products.lookup"))
            let user = try await signer.sign(Self.claims(subject: UUID().uuidString, roles: ["admin"], audience: Self.policy.audience, scope: nil))
            let scoped = try await signer.sign(Self.claims(subject: "order", audience: "product", scope: "reservations.write"))
            try await self.withRawClient(port: port) { client in
                let request = Shop_Inventory_V1_ReserveRequest.with { $0.orderID = "o-2" }
                for token in [lookupOnly, user] {
                    let denied = await #expect(throws: RPCError.self) {
                        try await client.reserve(request, metadata: ["authorization": "Bearer \(token)", "idempotency-key": "k"])
                    }
                    #expect(denied?.code == .permissionDenied)
                }
                // A method without an access rule is denied whatever the token carries.
                let unruled = await #expect(throws: RPCError.self) {
                    try await client.release(.with { $0.orderID = "o-2" }, metadata: ["authorization": "Bearer \(scoped)", "idempotency-key": "k"])
                }
                #expect(unruled?.code == .permissionDenied)
                // A mutation without its idempotency key is refused.
                let keyless = await #expect(throws: RPCError.self) {
                    try await client.reserve(request, metadata: ["authorization": "Bearer \(scoped)"])
                }
                #expect(keyless?.code == .invalidArgument)
                // The right scope passes.
                let reservation = try await client.reserve(request, metadata: ["authorization": "Bearer \(scoped)", "idempotency-key": "k"])
                #expect(reservation.status == .reserved)
            }
        }
        #expect(ledger.state.withLock { $0.effects } == ["o-2": 1])
        #expect(ledger.state.withLock { $0.releaseStarted } == 0)
    }

    @Test func anExpiredDeadlineIsNeverWorkedOn() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        try await self.withCallee(ledger: ledger, key: key) { port in
            let calls = try self.calls(port: port, key: key)
            // The caller's budget is spent: no call leaves.
            let spent = await #expect(throws: ServiceClientError.self) {
                try await self.reserve(calls, order: "o-3", key: "o-3-reserve", deadline: .milliseconds(-1))
            }
            guard case .timeout? = spent else {
                throw RPCError(code: .internalError, message: "expected a timeout, got \(String(describing: spent))")
            }
            #expect(ledger.state.withLock { $0.calls.isEmpty })

            // A budget that runs out while the callee works: the caller hears DEADLINE_EXCEEDED
            // and the callee's work is cancelled, never completed.
            let scoped = try await AccessTokenSigner(key: key).sign(Self.claims(subject: "order", audience: "product", scope: "reservations.write"))
            try await self.withRawClient(port: port) { client in
                var options = CallOptions.defaults
                options.timeout = .milliseconds(200)
                let late = await #expect(throws: RPCError.self) {
                    try await client.release(
                        .with { $0.orderID = "o-3" },
                        metadata: ["authorization": "Bearer \(scoped)", "idempotency-key": "o-3-release"],
                        options: options
                    )
                }
                #expect(late?.code == .deadlineExceeded)
            }
            for _ in 0..<200 where ledger.state.withLock({ $0.releaseCancelled }) == 0 {
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(ledger.state.withLock { ($0.releaseStarted, $0.releaseCancelled, $0.releaseCompleted) } == (1, 1, 0))
            await calls.client.close()
        }
    }

    @Test func aRetriedMutationTakesEffectOnce() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        ledger.state.withLock { $0.slowFirstAnswer = ["o-4"] }
        try await self.withCallee(ledger: ledger, key: key) { port in
            let calls = try self.calls(port: port, key: key, environment: ["CLIENT_RETRY_ATTEMPTS": "3", "CLIENT_RETRY_INITIAL_SECONDS": "0.01"])
            // The first try's answer never comes within its 300 ms; the retry finds the effect done.
            let reservation = try await self.reserve(calls, order: "o-4", key: "o-4-reserve", tryTimeout: .milliseconds(300))
            #expect(reservation.status == .reserved)
            await calls.client.close()
        }
        let state = ledger.state.withLock { $0 }
        #expect(state.effects == ["o-4": 1])
        #expect(state.calls.count == 2)
        #expect(state.calls.allSatisfy { $0.key == "o-4-reserve" && $0.requestID == "req-o-4" && $0.hadDeadline })
    }

    @Test func onlyTransportFailuresCountAgainstABreaker() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        try await self.withCallee(ledger: ledger, key: key) { port in
            let settings = ["BREAKER_MINIMUM_CALLS": "3", "CLIENT_RETRY_ATTEMPTS": "1"]
            let calls = try self.calls(port: port, key: key, environment: settings)
            // A domain answer, ten times over: the breaker stays closed.
            for _ in 0..<10 {
                let error = await #expect(throws: ServiceClientError.self) {
                    try await calls.call(
                        Shop_Inventory_V1_Reservations.Method.Commit.descriptor,
                        of: "product",
                        idempotencyKey: "o-5-commit",
                        propagating: nil,
                        logger: self.logger
                    ) { client, metadata, options in
                        try await Shop_Inventory_V1_Reservations.Client(wrapping: client).commit(
                            .with { $0.orderID = "o-5" },
                            metadata: metadata,
                            options: options
                        )
                    }
                }
                guard case .rejected(_, let rejection)? = error else { throw RPCError(code: .internalError, message: "\(String(describing: error))") }
                #expect(
                    rejection.code == .failedPrecondition && rejection.reason == "RESERVATION_NOT_HELD" && rejection.details == ["status": "expired"]
                )
            }
            #expect(calls.client.breakers.entries.filter { $0.service == "product" }.map(\.state) == ["closed"])
            await calls.client.close()

            // An instance that refuses connections: its breaker opens after three failures.
            let closedPort = try await Self.unusedPort()
            var dead = settings
            dead["SERVICES_PRODUCT_GRPC_ADDRESSES"] = "127.0.0.1:\(closedPort)"
            let deadCalls = try self.calls(port: port, key: key, environment: dead)
            for _ in 0..<4 {
                await #expect(throws: ServiceClientError.self) { try await self.reserve(deadCalls, order: "o-6", key: "o-6-reserve") }
            }
            let product = deadCalls.client.breakers.entries.filter { $0.service == "product" }
            #expect(product.map(\.state) == ["open"])
            #expect(product.map(\.instance) == ["127.0.0.1:\(closedPort)"])
            await deadCalls.client.close()
        }
    }

    @Test func connectionsToInstancesDiscoveryNoLongerListsAreClosed() async throws {
        let key = SigningKey.generate()
        let (first, second) = (Ledger(), Ledger())
        try await self.withCallee(ledger: first, key: key) { firstPort in
            try await self.withCallee(ledger: second, key: key) { secondPort in
                let (firstAddress, secondAddress) = (RPCAddress(host: "127.0.0.1", port: firstPort), RPCAddress(host: "127.0.0.1", port: secondPort))
                // auth (the tokens) is the second callee throughout; product starts at the first.
                let discovery = MovingDiscovery(product: firstAddress, auth: secondAddress)
                let settings = try ClientSettings(settings: SettingsReader(environment: [:]))
                let client = RPCClient(
                    discovery: discovery,
                    settings: settings,
                    breakers: BreakerRegistry(policy: settings.breaker, logger: self.logger),
                    bulkheads: BulkheadRegistry(limit: 10),
                    logger: self.logger
                )
                let calls = InternalCalls(
                    client: client,
                    tokens: ServiceTokenSource.remote(clientID: "order", clientSecret: Self.secret, client: client)
                )
                _ = try await self.reserve(calls, order: "o-7", key: "o-7-reserve")
                #expect(client.connectedAddresses == [firstAddress, secondAddress])
                // The product instance moves: the next call goes to the new address, and the
                // connection to the old one is closed.
                discovery.product.withLock { $0 = secondAddress }
                _ = try await self.reserve(calls, order: "o-8", key: "o-8-reserve")
                #expect(client.connectedAddresses == [secondAddress])
                #expect(first.state.withLock { $0.effects.keys.sorted() } == ["o-7"])
                #expect(second.state.withLock { $0.effects.keys.sorted() } == ["o-8"])
                await client.close()
                #expect(client.connectedAddresses.isEmpty)
            }
        }
    }

    @Test func theHealthServiceAnswersReadiness() async throws {
        let key = SigningKey.generate()
        let ledger = Ledger()
        try await self.withCallee(ledger: ledger, key: key) { port in
            try await withGRPCClient(
                transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            ) { client in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                let server = try await health.check(.with { $0.service = "" })
                #expect(server.status == .serving)
                let served = try await health.check(.with { $0.service = "shop.inventory.v1.Reservations" })
                #expect(served.status == .serving)
                let unknown = await #expect(throws: RPCError.self) { try await health.check(.with { $0.service = "shop.nothing.v1.Nope" }) }
                #expect(unknown?.code == .notFound)
                ledger.state.withLock { $0.ready = false }
                let starting = try await health.check(.init())
                #expect(starting.status == .notServing)
            }
        }
    }

    /// A port nothing listens on (bound, then released).
    private static func unusedPort() async throws -> Int {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [])
        return try await withThrowingTaskGroup { group in
            group.addTask { try await server.serve() }
            let port = try await transport.listeningAddress.ipv4?.port ?? 0
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return port
        }
    }
}
