import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines that mean the process crashed instead of exiting cleanly.
private let crashMarkers = ["Fatal error", "Program crashed", "Stack dump", "Current stack trace", "Backtrace", "Segmentation fault"]

private func expectNoCrash(_ process: ServiceProcess, sourceLocation: SourceLocation = #_sourceLocation) {
    for line in process.logLines() {
        for marker in crashMarkers where line.contains(marker) {
            Issue.record("\(process.name) printed a crash/stack trace: \(line)", sourceLocation: sourceLocation)
        }
    }
    #expect(!process.exitedBySignal, "\(process.name) should exit, not die from a signal", sourceLocation: sourceLocation)
}

extension ShopStackSuite {
    @Suite("Graceful shutdown")
    struct GracefulShutdownTests {
        @Test("SIGTERM stops an extra product instance with exit status 0 within 10 s")
        func sigtermExitsCleanly() async throws {
            let stack = try Stack.require()
            let port = try Ports.freePort()
            let extra = try ServiceProcess(
                name: "product",
                environment: try stack.environment(for: "product", port: port),
                logFile: stack.logDirectory.appendingPathComponent("product-extra-\(port).log")
            )
            try extra.start()
            defer { extra.terminate(signal: SIGKILL) }

            // Ready (bounded), and serving.
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            var ready = false
            while ContinuousClock.now < deadline, extra.isRunning {
                let response = try? await stack.http.send(.GET, "http://127.0.0.1:\(port)/health/ready", timeout: .seconds(1))
                if response?.status == 200 {
                    ready = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            try #require(ready, "extra product never became ready; log:\n\(extra.logTail())")
            let products = try await stack.http.send(.GET, "http://127.0.0.1:\(port)/v1/products?limit=1")
            #expect(products.status == 200)

            extra.terminate(signal: SIGTERM)
            let status = await extra.waitForExit(timeout: .seconds(10))
            #expect(status != nil, "still running 10 s after SIGTERM")
            #expect(status == 0, "exit status after SIGTERM; log:\n\(extra.logTail())")
            expectNoCrash(extra)
        }
    }
}

/// Misconfigured processes, each on its own: these need the binaries but not the shared stack.
@Suite("Configuration errors", .serialized)
struct ConfigurationErrorTests {
    /// A product process with a usable-looking configuration, minus whatever the test changes.
    private func productEnvironment(_ changes: [String: String?]) throws -> [String: String] {
        try self.environment(for: "product", changes)
    }

    /// A process of `service` with a usable-looking configuration, minus whatever the test changes.
    private func environment(for service: String, _ changes: [String: String?]) throws -> [String: String] {
        var environment = try ServiceProcess.baseEnvironment()
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(try Ports.freePort())
        environment["LOG_LEVEL"] = "info"
        // Real settings when available; otherwise well-formed ones pointing at closed ports.
        let closedPort = try Ports.freePort()
        let inherited = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = inherited["\(service.uppercased())_DATABASE_URL"] ?? "postgres://shop:shop@127.0.0.1:\(closedPort)/\(service)"
        environment["REDIS_URL"] = inherited["SHOP_REDIS_URL"] ?? "redis://127.0.0.1:\(closedPort)"
        for (key, value) in changes {
            environment[key] = value
        }
        return environment
    }

    /// Starts `service` (product unless named) with `environment`, expects it to exit non-zero within `timeout`,
    /// returns its output lines.
    private func expectStartupFailure(
        _ environment: [String: String],
        within timeout: Duration,
        label: String,
        service: String = "product",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (status: Int32?, lines: [String]) {
        let directory = try Stack.makeLogDirectory()
        let process = try ServiceProcess(name: service, environment: environment, logFile: directory.appendingPathComponent("\(label).log"))
        try process.start()
        defer { process.terminate(signal: SIGKILL) }
        let status = await process.waitForExit(timeout: timeout)
        #expect(status != nil, "\(service) (\(label)) still running after \(timeout); log in \(directory.path)", sourceLocation: sourceLocation)
        if let status {
            #expect(status != 0, "\(service) (\(label)) must exit non-zero; log in \(directory.path)", sourceLocation: sourceLocation)
        }
        expectNoCrash(process, sourceLocation: sourceLocation)
        return (status, process.logLines())
    }

    @Test("Without DATABASE_URL: exit 78 within 5 s, one line naming DATABASE_URL, no crash")
    func missingDatabaseURL() async throws {
        let environment = try productEnvironment(["DATABASE_URL": nil])
        let result = try await expectStartupFailure(environment, within: .seconds(5), label: "no-database-url")
        let naming = result.lines.filter { $0.contains("DATABASE_URL") }
        #expect(!naming.isEmpty, "a line names DATABASE_URL; output:\n\(result.lines.joined(separator: "\n"))")
        // docs/configuration.md: a missing setting exits with EX_CONFIG.
        #expect(result.status == 78, "exit code EX_CONFIG (78)")
    }

    @Test("With an unreachable database and STARTUP_TIMEOUT_SECONDS=2: exits non-zero within 8 s naming the database")
    func unreachableDatabase() async throws {
        let closedPort = try Ports.freePort()
        let environment = try productEnvironment([
            "DATABASE_URL": "postgres://x:y@127.0.0.1:\(closedPort)/db",
            "STARTUP_TIMEOUT_SECONDS": "2",
        ])
        let result = try await expectStartupFailure(environment, within: .seconds(8), label: "unreachable-database")
        let naming = result.lines.filter { line in
            let lower = line.lowercased()
            return lower.contains("database") || lower.contains("postgres")
        }
        #expect(!naming.isEmpty, "a line mentions the database; output:\n\(result.lines.joined(separator: "\n"))")
        #expect(!result.lines.contains { $0.contains("x:y@") }, "the database password is not logged")
    }

    @Test("HTTP_PORT=notaport: exit 78 naming HTTP_PORT")
    func malformedPort() async throws {
        let environment = try productEnvironment(["HTTP_PORT": "notaport"])
        let result = try await expectStartupFailure(environment, within: .seconds(5), label: "bad-port")
        #expect(
            result.lines.contains { $0.contains("HTTP_PORT") },
            "a line names HTTP_PORT; output:\n\(result.lines.joined(separator: "\n"))"
        )
        #expect(result.status == 78, "exit code EX_CONFIG (78)")
    }

    /// Settings read by the service module itself (after the shared clients exist) and by the
    /// shared setup end the same way: one line, exit 78, no crash trace.
    @Test(
        "A malformed module or discovery setting: exit 78 naming it, no crash",
        arguments: [("RESERVATION_TTL_SECONDS", "soon"), ("DISCOVERY_BACKEND", "zookeeper"), ("AUTH_JWKS_REFRESH_SECONDS", "-1")]
    )
    func malformedLaterSetting(name: String, value: String) async throws {
        let environment = try productEnvironment([name: value])
        let result = try await expectStartupFailure(environment, within: .seconds(5), label: "bad-\(name.lowercased())")
        #expect(result.lines.contains { $0.contains(name) }, "a line names \(name); output:\n\(result.lines.joined(separator: "\n"))")
        #expect(result.status == 78, "exit code EX_CONFIG (78)")
    }

    /// auth with everything but an admin password (its service clients given, so nothing else is missing).
    private func authEnvironment(_ changes: [String: String?]) throws -> [String: String] {
        var changes = changes
        changes["AUTH_SERVICE_CLIENTS"] = changes["AUTH_SERVICE_CLIENTS"] ?? "order:order-client-secret-of-16+"
        return try self.environment(for: "auth", changes)
    }

    @Test("auth without ADMIN_PASSWORD: exit 78 within 5 s, one line naming ADMIN_PASSWORD and AUTH_DEV_DEFAULTS, no crash")
    func authNeedsAnAdminPassword() async throws {
        let environment = try authEnvironment(["ADMIN_PASSWORD": nil, "AUTH_DEV_DEFAULTS": nil])
        let result = try await expectStartupFailure(environment, within: .seconds(5), label: "auth-no-admin-password", service: "auth")
        let output = result.lines.joined(separator: "\n")
        #expect(
            result.lines.contains { $0.contains("ADMIN_PASSWORD") && $0.contains("is required") && $0.contains("AUTH_DEV_DEFAULTS") },
            "one line says ADMIN_PASSWORD is required and names AUTH_DEV_DEFAULTS; output:\n\(output)"
        )
        #expect(result.status == 78, "exit code EX_CONFIG (78)")
        #expect(!output.contains("change-me-now"), "no published password is seeded or printed")
    }

    @Test(
        "auth with a weak ADMIN_PASSWORD: exit 78 naming ADMIN_PASSWORD",
        arguments: ["change-me-now", "short-pw", "elevenchars"]
    )
    func authRefusesAWeakAdminPassword(password: String) async throws {
        let environment = try authEnvironment(["ADMIN_PASSWORD": password])
        let result = try await expectStartupFailure(environment, within: .seconds(5), label: "auth-weak-\(password.count)", service: "auth")
        #expect(
            result.lines.contains { $0.contains("ADMIN_PASSWORD") },
            "a line names ADMIN_PASSWORD; output:\n\(result.lines.joined(separator: "\n"))"
        )
        #expect(result.status == 78, "exit code EX_CONFIG (78)")
        #expect(!result.lines.contains { $0.contains(password) }, "the password itself is not printed")
    }
}
