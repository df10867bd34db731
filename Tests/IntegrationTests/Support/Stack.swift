import Foundation

/// The seven real executables on free ports of 127.0.0.1, plus the suite's HTTP client.
final class Stack: Sendable {
    /// The six services behind the gateway, in start order.
    static let serviceNames = ["auth", "user", "product", "order", "payment", "notification"]
    static let gatewayName = "api-gateway"
    static let allNames = serviceNames + [gatewayName]
    /// The services that serve the internal gRPC API.
    static let grpcNames = ["auth", "user", "product", "payment"]

    /// The stack the current test runs against (set by `StackTrait`).
    @TaskLocal static var current: Stack?

    /// Where every process of the suite exports its spans. Only traces a request asks for (a
    /// sampled `traceparent`) are recorded: the services sample nothing of their own
    /// (`parentbased_traceidratio` at 0), so the rest of the suite costs no exporting.
    static let traces: OTLPReceiver? = try? OTLPReceiver()

    let http: HTTP
    /// Where every process's stdout+stderr goes (kept after the run).
    let logDirectory: URL
    /// The admin account `auth` seeds at first start.
    let adminEmail: String
    let adminPassword: String
    private let processes: [String: ServiceProcess]
    private let ports: [String: Int]

    private init(
        http: HTTP,
        logDirectory: URL,
        adminEmail: String,
        adminPassword: String,
        processes: [String: ServiceProcess],
        ports: [String: Int]
    ) {
        self.http = http
        self.logDirectory = logDirectory
        self.adminEmail = adminEmail
        self.adminPassword = adminPassword
        self.processes = processes
        self.ports = ports
    }

    // MARK: Start and stop

    /// Starts the six services, waits until they are ready, then the gateway likewise (60 s in all).
    static func start() async throws -> Stack {
        let logDirectory = try makeLogDirectory()
        print("integration: service logs in \(logDirectory.path)")
        let http = HTTP()
        do {
            // `<name>` is a process's HTTP port, `<name>.grpc` its gRPC port.
            let keys = allNames + grpcNames.map { $0 + ".grpc" }
            let ports = Dictionary(uniqueKeysWithValues: zip(keys, try Ports.free(keys.count)))
            let adminEmail = "admin-\(UUID().uuidString.lowercased())@example.com"
            let adminPassword = "admin-\(UUID().uuidString)"
            var processes: [String: ServiceProcess] = [:]
            for name in allNames {
                let port = ports[name] ?? 0
                let environment = try environment(
                    for: name,
                    port: port,
                    ports: ports,
                    adminEmail: adminEmail,
                    adminPassword: adminPassword
                )
                processes[name] = try ServiceProcess(
                    name: name,
                    environment: environment,
                    logFile: logDirectory.appendingPathComponent("\(name).log")
                )
            }
            let stack = Stack(
                http: http,
                logDirectory: logDirectory,
                adminEmail: adminEmail,
                adminPassword: adminPassword,
                processes: processes,
                ports: ports
            )
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            do {
                for name in serviceNames {
                    try stack.process(name).start()
                }
                try await stack.waitUntilReady(serviceNames, deadline: deadline)
                try stack.process(gatewayName).start()
                try await stack.waitUntilReady([gatewayName], deadline: deadline)
            } catch {
                await stack.stopProcesses()
                throw error
            }
            return stack
        } catch {
            await http.shutdown()
            throw error
        }
    }

    /// SIGTERM to everything, SIGKILL after 5 s; then the HTTP client.
    func stop() async {
        await stopProcesses()
        await http.shutdown()
        print("integration: stack stopped; service logs in \(logDirectory.path)")
    }

    private func stopProcesses() async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes.values {
                group.addTask { await process.stop(grace: .seconds(5)) }
            }
        }
    }

    // MARK: Addresses

    func process(_ name: String) throws -> ServiceProcess {
        guard let process = processes[name] else { throw HarnessError("no process named \(name) in the stack") }
        return process
    }

    func port(_ name: String) throws -> Int {
        guard let port = ports[name] else { throw HarnessError("no port for \(name) in the stack") }
        return port
    }

    var gatewayPort: Int { ports[Self.gatewayName] ?? 0 }

    /// The gRPC port of one of ``grpcNames``.
    func grpcPort(_ name: String) throws -> Int {
        guard let port = ports[name + ".grpc"] else { throw HarnessError("no gRPC port for \(name) in the stack") }
        return port
    }

    /// `http://127.0.0.1:<gateway port><path>`.
    func url(_ path: String) -> String {
        "http://127.0.0.1:\(gatewayPort)\(path)"
    }

    /// A URL on one service directly, bypassing the gateway.
    func url(_ path: String, on name: String) throws -> String {
        "http://127.0.0.1:\(try port(name))\(path)"
    }

    // MARK: Readiness and recovery

    /// Polls `GET /health/ready` of each named process every 100 ms until all answer 200.
    func waitUntilReady(_ names: [String], deadline: ContinuousClock.Instant) async throws {
        var pending = names
        while !pending.isEmpty {
            var stillPending: [String] = []
            for name in pending {
                let process = try process(name)
                if !process.isRunning {
                    let status = await process.waitForExit(timeout: .milliseconds(100))
                    throw HarnessError(
                        "\(name) exited (status \(status.map(String.init) ?? "?")) before it was ready; logs in \(logDirectory.path). "
                            + "Last lines:\n\(process.logTail())"
                    )
                }
                let ready = try? await http.send(.GET, url("/health/ready", on: name), timeout: .seconds(1))
                if ready?.status != 200 {
                    stillPending.append(name)
                }
            }
            pending = stillPending
            if pending.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                let tails = try pending.map { "--- \($0):\n\(try process($0).logTail())" }.joined(separator: "\n")
                throw HarnessError(
                    "not ready in time: \(pending.joined(separator: ", ")); logs in \(logDirectory.path)\n\(tails)"
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Restarts `name` if it is not running and waits until it and the gateway's route to it work again.
    /// Tests that kill processes call this on every path out, so the next test finds a whole stack.
    func restore(_ name: String) async throws {
        let process = try process(name)
        if !process.isRunning {
            _ = await process.waitForExit(timeout: .seconds(5))
            try process.restart()
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        try await waitUntilReady([name, Self.gatewayName], deadline: deadline)
        // The gateway's breaker may still be open: wait until its status page sees the service up again.
        while ContinuousClock.now < deadline {
            if let status = try? await http.send(.GET, url("/v1/status"), timeout: .seconds(2)),
                status.status == 200,
                let object = try? status.jsonObject(),
                let services = object["services"] as? [[String: Any]],
                services.allSatisfy({ ($0["status"] as? String) == "up" })
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("\(name) was restarted but the gateway does not report every service up; logs in \(logDirectory.path)")
    }

    // MARK: Environment

    /// The environment `name` runs with in this stack, on `port`.
    static func environment(
        for name: String,
        port: Int,
        ports: [String: Int],
        adminEmail: String,
        adminPassword: String
    ) throws -> [String: String] {
        var environment = try ServiceProcess.baseEnvironment()
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(port)
        if let grpcPort = ports[name + ".grpc"] { environment["GRPC_PORT"] = String(grpcPort) }
        environment["LOG_LEVEL"] = "info"
        if let traces = Self.traces {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = traces.endpoint
            environment["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio"
            environment["OTEL_TRACES_SAMPLER_ARG"] = "0"
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "200"
        }
        environment["REDIS_URL"] = try required("SHOP_REDIS_URL")
        // Every process may call every service: auth's key set, user's internal endpoint, ...
        for service in serviceNames {
            environment["SERVICES_\(service.uppercased())_URLS"] = "http://127.0.0.1:\(ports[service] ?? 0)"
        }
        for service in grpcNames {
            if let grpcPort = ports[service + ".grpc"] { environment["SERVICES_\(service.uppercased())_GRPC_ADDRESSES"] = "127.0.0.1:\(grpcPort)" }
        }
        environment["AUTH_JWKS_REFRESH_SECONDS"] = "1"
        // Instances find each other through the Redis registry (the static URLs above are the
        // fallback while nothing is registered).
        environment["DISCOVERY_BACKEND"] = "redis"
        environment["DISCOVERY_TTL_SECONDS"] = "3"
        environment["DISCOVERY_REFRESH_SECONDS"] = "0.5"
        // An event left pending by a consumer that died is claimed after 1 s (30 s by default),
        // so "exactly once" checks see any redelivery within the suite's waits.
        environment["CONSUMER_CLAIM_IDLE_SECONDS"] = "1"
        switch name {
        case gatewayName:
            environment["BREAKER_OPEN_SECONDS"] = "1"
            environment["CLIENT_TIMEOUT_SECONDS"] = "5"
            // The suite sends everything from 127.0.0.1; rate limiting has tests of its own.
            environment["RATE_LIMITS"] = "address=4000/8000,anonymous=2000/4000,user=2000/4000,auth=2000/4000"
            // The suite itself is a trusted proxy: a test chooses a client address with
            // X-Forwarded-For (ClientAddressTests; another gateway tests an untrusted peer).
            environment["TRUSTED_PROXIES"] = "127.0.0.1/32"
            // The gateway's token vouches to the services for the address it derived.
            environment["SERVICE_CLIENT_SECRET"] = serviceClientSecret(for: name)
        default:
            environment["DATABASE_URL"] = try required("\(name.uppercased())_DATABASE_URL")
            environment["SERVICE_CLIENT_SECRET"] = serviceClientSecret(for: name)
            // Old rows are purged within a second of appearing (the retention suite plants some).
            environment["RETENTION_INTERVAL_SECONDS"] = "1"
        }
        if name == "auth" {
            // The suite registers hundreds of accounts and refreshes many tokens from 127.0.0.1;
            // those limits have tests of their own against an auth with low ones.
            environment["AUTH_REGISTER_MAX_PER_CLIENT"] = "1000000"
            environment["AUTH_REFRESH_MAX_FAILURES_PER_CLIENT"] = "1000000"
            // Seven clients: the six services and the gateway.
            environment["AUTH_SERVICE_CLIENTS"] = allNames.map { "\($0):\(serviceClientSecret(for: $0))" }.joined(separator: ",")
        }
        if name == "user" {
            environment["USER_PII_KEYS"] = "test-1:\(Data(repeating: 7, count: 32).base64EncodedString())"
        }
        if name == "payment" {
            environment["PAYMENT_CARD_KEYS"] = "test-1:\(Data(repeating: 9, count: 32).base64EncodedString())"
        }
        if name == "notification" {
            // The suite's webhook receivers listen on 127.0.0.1.
            environment["WEBHOOK_ALLOW_PRIVATE_HOSTS"] = "true"
            environment["NOTIFICATION_WEBHOOK_KEYS"] = "test-1:\(Data(repeating: 11, count: 32).base64EncodedString())"
            environment["WEBHOOK_RETRY_INITIAL_SECONDS"] = "0.2"
            environment["WEBHOOK_RETRY_MAX_SECONDS"] = "1"
        }
        if name == "order" {
            // Quick retries so the transient card's order fails within seconds.
            environment["SAGA_PAYMENT_ATTEMPTS"] = "3"
            environment["SAGA_RETRY_INITIAL_SECONDS"] = "0.2"
            environment["SAGA_RETRY_MAX_SECONDS"] = "1"
        }
        if name == "product" {
            environment["SEED_DEMO_CATALOG"] = "true"
        }
        if name == "auth" {
            environment["ADMIN_EMAIL"] = adminEmail
            environment["ADMIN_PASSWORD"] = adminPassword
        }
        return environment
    }

    /// The client secret a service uses to obtain service tokens from auth in this stack.
    static func serviceClientSecret(for name: String) -> String {
        "\(name)-client-secret-\(secretSuffix)"
    }

    /// Random per test run, so no secret of the suite is a constant.
    private static let secretSuffix = UUID().uuidString.lowercased()

    /// The environment of a stack member, for starting an extra instance of it on another port.
    func environment(for name: String, port: Int) throws -> [String: String] {
        var environment = try process(name).environment
        environment["HTTP_PORT"] = String(port)
        // Another instance serves gRPC on a port of its own (it registers that address).
        if environment["GRPC_PORT"] != nil { environment["GRPC_PORT"] = String(try Ports.freePort()) }
        return environment
    }

    /// A variable the suite needs from the environment `make test` prepares.
    static func required(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            throw HarnessError(
                "\(key) is not set: the integration suite needs SHOP_BIN_DIR, SHOP_REDIS_URL and "
                    + "<SERVICE>_DATABASE_URL for auth, user, product, order, payment and notification (run it via `make test`)"
            )
        }
        return value
    }

    /// A fresh folder for process logs: under `SHOP_TEST_LOG_DIR` (set by `make test`) when given, else the temp folder.
    static func makeLogDirectory() throws -> URL {
        let parent =
            ProcessInfo.processInfo.environment["SHOP_TEST_LOG_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        let directory = parent.appendingPathComponent("integration-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
