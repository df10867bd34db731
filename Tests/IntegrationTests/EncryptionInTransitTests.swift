import AsyncHTTPClient
import Foundation
import NIOSSL
import PostgresNIO
import Testing

/// auth and a gateway of their own (not the shared stack), with every hop encrypted: the client
/// to the gateway over HTTPS, both services to Redis over `rediss://`, auth to Postgres with
/// `DATABASE_TLS=verify-full`.
@Suite("Encryption in transit", .serialized, .tlsStack)
struct EncryptionInTransitTests {
    @Test("A login through the HTTPS gateway works, and auth's database connections are all TLS")
    func loginEndToEnd() async throws {
        let context = try TLSStackContext.require()
        let body = #"{"email":"\#(context.stack.adminEmail)","password":"\#(context.stack.adminPassword)"}"#
        var request = HTTPClientRequest(url: context.stack.url("/v1/auth/login"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await context.https.execute(request, timeout: .seconds(20))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(response.status.code == 200, "login through https: \(text.prefix(300))")
        #expect(text.contains("accessToken"))
        #expect(response.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")

        // Every connection auth holds to its database is encrypted (pg_stat_ssl), and there is one.
        let counts = try await ServiceDatabase.withClient("tls") { client in
            let rows = try await client.query(
                """
                SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid
                WHERE a.datname = 'shop_tls' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
                """,
                logger: ServiceDatabase.logger
            )
            var result: (encrypted: Int64, all: Int64) = (0, 0)
            for try await (encrypted, all) in rows.decode((Int64, Int64).self) {
                result = (encrypted, all)
            }
            return result
        }
        #expect(counts.all >= 1, "auth holds a connection to shop_tls")
        #expect(counts.encrypted == counts.all, "every connection of auth is TLS: \(counts.encrypted) of \(counts.all)")
    }

    @Test("Plain HTTP to the gateway's HTTPS port gets no HTTP answer")
    func plainHTTPIsRefused() async throws {
        let context = try TLSStackContext.require()
        let connection = try RawConnection(port: context.stack.gatewayPort)
        try connection.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let response = try connection.readResponse(within: .seconds(5))
        #expect(response == nil, "an HTTP answer came back in the clear: \(response.map { "\($0.status)" } ?? "")")
    }

    @Test("The gateway refuses a client that offers at most TLS 1.1, and serves one offering TLS 1.2")
    func oldTLSIsRefused() async throws {
        let context = try TLSStackContext.require()
        let url = context.stack.url("/health/live")

        let old = try context.stack.tls.httpsClient(maximumVersion: .tlsv11, connectTimeout: .seconds(5))
        let refusal = await Self.failure(of: url, with: old)
        // The server's protocol_version alert, not a timeout or some other failure.
        #expect(refusal.contains("PROTOCOL_VERSION"), "a TLS 1.1 handshake must fail on the version: \(refusal)")

        let current = try context.stack.tls.httpsClient(maximumVersion: .tlsv12)
        do {
            let response = try await current.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status.code == 200)
        } catch {
            Issue.record("a TLS 1.2 client was refused: \(error)")
        }
        try await current.shutdown()
    }

    @Test("A client that trusts only another authority refuses the gateway's certificate")
    func unknownAuthorityIsRefusedByTheClient() async throws {
        let context = try TLSStackContext.require()
        let stranger = try context.stack.tls.httpsClient(trusting: context.stack.tls.otherCAFile, connectTimeout: .seconds(5))
        let refusal = await Self.failure(of: context.stack.url("/health/live"), with: stranger)
        #expect(refusal.contains("CERTIFICATE_VERIFY_FAILED"), "the certificate must fail verification: \(refusal)")
    }

    /// The error a GET of `url` ends with (an empty text when it succeeds); shuts `client` down.
    private static func failure(of url: String, with client: HTTPClient) async -> String {
        var text = ""
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            text = String(reflecting: error)
        }
        try? await client.shutdown()
        return text
    }
}

/// Processes that must refuse to start: each on its own, no shared stack needed.
@Suite("Encryption in transit: refused connections and settings", .serialized)
struct EncryptionInTransitRefusalTests {
    /// Starts `name` with `environment`, expects it to exit within `timeout`; its status and output.
    private func exitOf(_ name: String, _ environment: [String: String], within timeout: Duration) async throws -> (Int32?, [String]) {
        let directory = try Stack.makeLogDirectory()
        let process = try ServiceProcess(name: name, environment: environment, logFile: directory.appendingPathComponent("\(name).log"))
        try process.start()
        defer { process.terminate(signal: SIGKILL) }
        let status = await process.waitForExit(timeout: timeout)
        return (status, process.logLines())
    }

    @Test("auth with DATABASE_TLS=verify-full and an unrelated authority exits 69, naming the TLS failure")
    func databaseWithTheWrongAuthority() async throws {
        let tls = try TLSTestEnvironment.fromEnvironment()
        var environment = try TLSStack.authEnvironment(
            tls: tls,
            port: try Ports.freePort(),
            adminEmail: "admin@example.com",
            adminPassword: "a-long-password"
        )
        environment["DATABASE_TLS_CA_FILE"] = tls.otherCAFile
        environment["STARTUP_TIMEOUT_SECONDS"] = "2"
        let (status, lines) = try await exitOf("auth", environment, within: .seconds(20))
        #expect(status == 69, "exit status EX_UNAVAILABLE; output:\n\(lines.suffix(5).joined(separator: "\n"))")
        let last = lines.last ?? ""
        #expect(last.contains("TLS handshake failed"), "the last line names the failed handshake: \(last)")
        #expect(last.contains("DATABASE_TLS_CA_FILE"), "and the setting to check: \(last)")
        #expect(!lines.contains { $0.contains(tls.databaseURL) }, "the database URL (with its password) is never printed")
    }

    @Test("The gateway with a rediss:// URL and an unrelated authority exits 69, naming the TLS failure")
    func redisWithTheWrongAuthority() async throws {
        let tls = try TLSTestEnvironment.fromEnvironment()
        var environment = try TLSStack.gatewayEnvironment(tls: tls, port: try Ports.freePort(), authPort: try Ports.freePort())
        environment["REDIS_TLS_CA_FILE"] = tls.otherCAFile
        environment["STARTUP_TIMEOUT_SECONDS"] = "2"
        let (status, lines) = try await exitOf("api-gateway", environment, within: .seconds(20))
        #expect(status == 69, "exit status EX_UNAVAILABLE; output:\n\(lines.suffix(5).joined(separator: "\n"))")
        let last = lines.last ?? ""
        #expect(last.contains("TLS handshake failed"), "the last line names the failed handshake: \(last)")
        #expect(last.contains("REDIS_TLS_CA_FILE"), "and the setting to check: \(last)")
    }

    @Test(
        "A malformed TLS setting: exit 78 naming it",
        arguments: [
            ("DATABASE_TLS", "sometimes"),
            ("DATABASE_TLS_CA_FILE", "/nonexistent/ca.pem"),
            ("TLS_KEY_FILE", "/nonexistent/key.pem"),
        ]
    )
    func malformedSetting(name: String, value: String) async throws {
        let tls = try TLSTestEnvironment.fromEnvironment()
        var environment = try TLSStack.authEnvironment(
            tls: tls,
            port: try Ports.freePort(),
            adminEmail: "admin@example.com",
            adminPassword: "a-long-password"
        )
        environment[name] = value
        if name == "TLS_KEY_FILE" { environment["TLS_CERTIFICATE_FILE"] = tls.certificateFile }
        let (status, lines) = try await exitOf("auth", environment, within: .seconds(10))
        #expect(status == 78, "exit status EX_CONFIG; output:\n\(lines.suffix(5).joined(separator: "\n"))")
        #expect(lines.contains { $0.contains(name) }, "a line names \(name)")
    }
}
