import Foundation

/// A notification of the test's own beside the stack's, for settings the shared one must not have.
///
/// It uses static discovery (it is not in the registry, so the shared gateway never sends it
/// anything), and its delivery worker sleeps a poll of 60 s first, so it claims none of the
/// suite's webhook deliveries while it runs.
enum ExtraNotification {
    /// Runs `body` with the port of a notification started with the stack's environment changed by
    /// `settings`, once it is ready (60 s at most); stops it whatever happens.
    static func with<T>(_ stack: Stack, label: String, settings: [String: String], _ body: (Int) async throws -> T) async throws -> T {
        let port = try Ports.freePort()
        var environment = try stack.environment(for: "notification", port: port)
        environment["DISCOVERY_BACKEND"] = "static"
        environment["WEBHOOK_POLL_SECONDS"] = "60"
        environment.merge(settings) { $1 }
        let process = try ServiceProcess(
            name: "notification",
            environment: environment,
            logFile: stack.logDirectory.appendingPathComponent("notification-\(label)-\(port).log")
        )
        try process.start()
        do {
            try await Self.awaitReady(process, port: port, stack: stack)
            let result = try await body(port)
            await process.stop()
            return result
        } catch {
            await process.stop()
            throw error
        }
    }

    /// Polls `/health/ready` until 200 (bounded), failing at once if the process exits.
    private static func awaitReady(_ process: ServiceProcess, port: Int, stack: Stack) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw HarnessError("notification exited before it was ready:\n\(process.logTail())") }
            let response = try? await stack.http.send(.GET, "http://127.0.0.1:\(port)/health/ready", timeout: .seconds(1))
            if response?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("notification on port \(port) not ready within 60 s:\n\(process.logTail())")
    }
}
