import Foundation

/// A gateway process of its own in front of the shared stack's services, with settings of its
/// own (rate limits, trusted proxies); the caller stops it.
struct ExtraGateway {
    let process: ServiceProcess
    let port: Int

    /// Starts one with the stack gateway's environment changed by `settings` (a `nil` value
    /// removes a variable) and waits until it is ready (30 s at most).
    static func start(_ stack: Stack, label: String, settings: [String: String?]) async throws -> ExtraGateway {
        let port = try Ports.free(1)[0]
        var environment = try stack.environment(for: Stack.gatewayName, port: port)
        for (name, value) in settings {
            environment[name] = value
        }
        let process = try ServiceProcess(
            name: Stack.gatewayName,
            environment: environment,
            logFile: stack.logDirectory.appendingPathComponent("api-gateway-\(label)-\(port).log")
        )
        try process.start()
        for _ in 0..<300 {
            guard process.isRunning else { throw HarnessError("the \(label) gateway on \(port) exited:\n\(process.logTail())") }
            if let ready = try? await stack.http.send(.GET, "http://127.0.0.1:\(port)/health/ready", timeout: .seconds(1)), ready.status == 200 {
                return ExtraGateway(process: process, port: port)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await process.stop(grace: .seconds(3))
        throw HarnessError("the \(label) gateway on \(port) was not ready within 30 s:\n\(process.logTail())")
    }

    /// Runs `body` with a gateway started as in ``start(_:label:settings:)``, stopping it whatever happens.
    static func with<T>(
        _ stack: Stack,
        label: String,
        settings: [String: String?],
        _ body: (ExtraGateway) async throws -> T
    ) async throws -> T {
        let gateway = try await Self.start(stack, label: label, settings: settings)
        do {
            let result = try await body(gateway)
            await gateway.process.stop(grace: .seconds(3))
            return result
        } catch {
            await gateway.process.stop(grace: .seconds(3))
            throw error
        }
    }

    func url(_ path: String) -> String {
        "http://127.0.0.1:\(self.port)\(path)"
    }
}

/// Client addresses no other test uses, so each test starts with buckets and throttles of its own.
enum TestClientAddress {
    /// An IPv4 address of the benchmarking range 198.18.0.0/15 (never routed).
    static func ipv4() -> String {
        "198.\(Int.random(in: 18...19)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
    }

    /// An IPv6 address of the documentation range 2001:db8::/32, in a /64 of its own.
    static func ipv6() -> String {
        "2001:db8:\(String(Int.random(in: 1...0xffff), radix: 16)):\(String(Int.random(in: 1...0xffff), radix: 16))::\(String(Int.random(in: 1...0xffff), radix: 16))"
    }

    /// A loopback address other than 127.0.0.1 to send from (`RawHTTP.send(source:)`): a socket
    /// peer of its own.
    static func loopback() -> String {
        "127.\(Int.random(in: 2...250)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
    }
}
