import AsyncHTTPClient
import Foundation
import NIOSSL

/// The files and URLs `make test` prepares for the tests of encryption in transit: Postgres and
/// Redis offer TLS with a certificate signed by a certificate authority made for the run.
struct TLSTestEnvironment: Sendable {
    /// The authority that signed the servers' certificate.
    let caFile: String
    /// An authority that signed nothing here: a client trusting only it must refuse the servers.
    let otherCAFile: String
    /// The servers' certificate (localhost, 127.0.0.1, ::1) and key, also served by the gateway.
    let certificateFile: String
    let keyFile: String
    /// `rediss://127.0.0.1:<TLS port>`.
    let redisURL: String
    /// The database of the suite's own auth (`shop_tls`), reached with TLS or without.
    let databaseURL: String

    static func fromEnvironment() throws -> TLSTestEnvironment {
        TLSTestEnvironment(
            caFile: try Self.required("SHOP_TLS_CA_FILE"),
            otherCAFile: try Self.required("SHOP_TLS_OTHER_CA_FILE"),
            certificateFile: try Self.required("SHOP_TLS_CERT_FILE"),
            keyFile: try Self.required("SHOP_TLS_KEY_FILE"),
            redisURL: try Self.required("REDIS_TLS_TEST_URL"),
            databaseURL: try Self.required("TLS_DATABASE_URL")
        )
    }

    private static func required(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            throw HarnessError("\(key) is not set: the TLS suite needs the certificates and TLS ports that `make test` prepares")
        }
        return value
    }

    /// A client that trusts only `caFile`, offering TLS versions up to `maximumVersion`. A client
    /// expected to fail gets a short connect timeout: the pool retries a failed handshake until then.
    func httpsClient(
        trusting caFile: String? = nil,
        maximumVersion: TLSVersion? = nil,
        connectTimeout: Duration = .seconds(10)
    ) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile ?? self.caFile))
        if let maximumVersion {
            tls.maximumTLSVersion = maximumVersion
            // BoringSSL offers TLS 1.0 and 1.1 only when asked to.
            tls.minimumTLSVersion = .tlsv1
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(connectTimeout.milliseconds), read: .seconds(20))
        )
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// auth and the gateway, started apart from the shared stack, with everything in transit
/// encrypted: auth reaches Postgres with `DATABASE_TLS=verify-full` and Redis with `rediss://`,
/// the gateway reaches Redis with `rediss://` and serves HTTPS. Redis database 1 keeps their
/// keys and streams apart from the shared stack's.
final class TLSStack: Sendable {
    let tls: TLSTestEnvironment
    let auth: ServiceProcess
    let gateway: ServiceProcess
    let authPort: Int
    let gatewayPort: Int
    let adminEmail: String
    let adminPassword: String
    let logDirectory: URL

    init() throws {
        self.tls = try TLSTestEnvironment.fromEnvironment()
        self.logDirectory = try Stack.makeLogDirectory()
        let ports = try Ports.free(2)
        self.authPort = ports[0]
        self.gatewayPort = ports[1]
        self.adminEmail = "admin-\(UUID().uuidString.lowercased())@example.com"
        self.adminPassword = "admin-\(UUID().uuidString)"
        self.auth = try ServiceProcess(
            name: "auth",
            environment: try Self.authEnvironment(tls: self.tls, port: self.authPort, adminEmail: self.adminEmail, adminPassword: self.adminPassword),
            logFile: self.logDirectory.appendingPathComponent("auth-tls.log")
        )
        self.gateway = try ServiceProcess(
            name: "api-gateway",
            environment: try Self.gatewayEnvironment(tls: self.tls, port: self.gatewayPort, authPort: self.authPort),
            logFile: self.logDirectory.appendingPathComponent("api-gateway-tls.log")
        )
    }

    /// What every process of this stack shares.
    static func commonEnvironment(tls: TLSTestEnvironment, port: Int) throws -> [String: String] {
        var environment = try ServiceProcess.baseEnvironment()
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(port)
        environment["LOG_LEVEL"] = "info"
        environment["REDIS_URL"] = "\(tls.redisURL)/1"
        environment["REDIS_TLS_CA_FILE"] = tls.caFile
        return environment
    }

    /// auth with its database over verified TLS.
    static func authEnvironment(tls: TLSTestEnvironment, port: Int, adminEmail: String, adminPassword: String) throws -> [String: String] {
        var environment = try commonEnvironment(tls: tls, port: port)
        environment["DATABASE_URL"] = tls.databaseURL
        environment["DATABASE_TLS"] = "verify-full"
        environment["DATABASE_TLS_CA_FILE"] = tls.caFile
        environment["ADMIN_EMAIL"] = adminEmail
        environment["ADMIN_PASSWORD"] = adminPassword
        environment["SERVICE_CLIENT_SECRET"] = "auth-tls-\(UUID().uuidString)"
        return environment
    }

    /// The gateway serving HTTPS with the run's certificate, routing to this stack's auth.
    static func gatewayEnvironment(tls: TLSTestEnvironment, port: Int, authPort: Int) throws -> [String: String] {
        var environment = try commonEnvironment(tls: tls, port: port)
        environment["TLS_CERTIFICATE_FILE"] = tls.certificateFile
        environment["TLS_KEY_FILE"] = tls.keyFile
        environment["SERVICES_AUTH_URLS"] = "http://127.0.0.1:\(authPort)"
        environment["RATE_LIMITS"] = "anonymous=2000/4000,user=2000/4000,auth=2000/4000"
        return environment
    }

    /// Starts auth, waits until it is ready, then the gateway (60 s in all).
    func start(http: HTTP, https: HTTPClient) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        try self.auth.start()
        try await Self.waitUntilReady(self.auth, url: "http://127.0.0.1:\(self.authPort)/health/ready", deadline: deadline) {
            try await http.send(.GET, $0, timeout: .seconds(1)).status
        }
        try self.gateway.start()
        try await Self.waitUntilReady(self.gateway, url: self.url("/health/ready"), deadline: deadline) { url in
            let response = try await https.execute(HTTPClientRequest(url: url), timeout: .seconds(1))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
    }

    func stop() async {
        await self.gateway.stop()
        await self.auth.stop()
    }

    /// `https://127.0.0.1:<gateway port><path>`.
    func url(_ path: String) -> String {
        "https://127.0.0.1:\(self.gatewayPort)\(path)"
    }

    private static func waitUntilReady(
        _ process: ServiceProcess,
        url: String,
        deadline: ContinuousClock.Instant,
        status: (String) async throws -> Int
    ) async throws {
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw HarnessError("\(process.name) exited before it was ready. Last lines:\n\(process.logTail())")
            }
            if (try? await status(url)) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("\(process.name) not ready in time at \(url). Last lines:\n\(process.logTail())")
    }
}
