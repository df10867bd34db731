import Foundation
import Testing

/// A gateway process of its own (not the shared stack's) whose `auth` and `product` routes point
/// at a fake upstream (public routes, so no access token is needed) run by the test, with `CLIENT_TIMEOUT_SECONDS=1`; the other services' URLs
/// point at closed ports. Each test starts both and stops both, whatever happens.
@Suite("Gateway proxy against a fake upstream", .serialized)
struct GatewayProxyTests {
    // MARK: Timeouts

    @Test("A silent upstream: GET /v1/products/x answers a 504 problem after the gateway's client timeout")
    func silentUpstreamGivesGatewayTimeout() async throws {
        try await withGateway(upstream: .silent, label: "silent") { upstream, gateway in
            let path = "/v1/products/x"
            let sentAt = ContinuousClock.now
            let response = try await gateway.http.send(.GET, gateway.url(path), timeout: .seconds(10))
            let elapsed = ContinuousClock.now - sentAt

            #expect(elapsed >= .milliseconds(900), "the gateway answered before its 1 s client timeout could expire: \(elapsed)")
            // problem+json, `status` 504 in the body, `requestId` equal to the X-Request-ID header.
            expectProblem(response, status: 504, path: path)
            let object = try response.jsonObject()
            #expect(object["status"] as? Int == 504, "\(response.text)")
            let requestId = try #require(response.header("X-Request-ID"), "the 504 carries X-Request-ID")
            #expect(object["requestId"] as? String == requestId, "\(response.text)")

            // The timeout is the upstream's silence, not a refused connection.
            let received = upstream.requests
            #expect(
                received.contains { $0.requestLine == "GET \(path) HTTP/1.1" },
                "the request reached the fake upstream; it read: \(received.map(\.requestLine))"
            )
            #expect(upstream.errors.isEmpty, "fake upstream errors: \(upstream.errors)")
        }
    }

    // MARK: Forwarding

    @Test("Forwarding: request line, correlation and X-Forwarded-* headers added, hop-by-hop headers dropped both ways")
    func forwardsHeadersAndBody() async throws {
        try await withGateway(upstream: .echo, label: "echo-forward") { upstream, gateway in
            let requestId = "fwd-\(UUID().uuidString.lowercased())"
            let traceId = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            // A v4 UUID's 13th hex digit is 4, so these 16 digits are never all zero.
            let spanId = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
            let body = Data(#"{"message":"hello through the gateway","n":42,"nested":{"ok":true},"text":"grüße"}"#.utf8)
            let target = "/v1/auth/login?x=1"
            let head =
                "POST \(target) HTTP/1.1\r\n"
                + "Host: 127.0.0.1:\(gateway.port)\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: \(body.count)\r\n"
                + "X-Request-ID: \(requestId)\r\n"
                + "traceparent: 00-\(traceId)-\(spanId)-01\r\n"
                + "Connection: keep-alive, X-Drop-Me\r\n"
                + "X-Drop-Me: secret\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "TE: trailers\r\n"
                + "X-Keep-Me: yes\r\n"
                + "\r\n"
            let response = try RawExchange.send(port: gateway.port, request: Array(head.utf8) + Array(body))

            // What the upstream received.
            let received = await upstream.waitForRequests(1, timeout: .seconds(2))
            #expect(upstream.errors.isEmpty, "fake upstream errors: \(upstream.errors)")
            try #require(received.count == 1, "exactly one request reaches the upstream, got \(received.count)")
            let request = try #require(received.first)
            let context = "upstream received:\n\(request.headText)"
            #expect(request.requestLine == "POST \(target) HTTP/1.1", "\(context)")
            #expect(request.values("X-Request-ID") == [requestId], "\(context)")

            let traceparents = request.values("traceparent")
            #expect(traceparents.count == 1, "one traceparent: \(context)")
            let parts = (traceparents.first ?? "").split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            #expect(parts.count == 4, "traceparent has four parts: \(traceparents)")
            if parts.count == 4 {
                #expect(parts[0] == "00", "traceparent version: \(traceparents)")
                #expect(parts[1] == traceId, "same trace id as the client's: \(traceparents)")
                #expect(parts[2].count == 16 && parts[2].allSatisfy { $0.isHexDigit && !$0.isUppercase }, "span id: \(traceparents)")
                #expect(parts[2] != spanId, "the gateway calls with a span of its own, not the client's: \(traceparents)")
                #expect(parts[2] != String(repeating: "0", count: 16), "span id is not all zero: \(traceparents)")
                #expect(parts[3] == "01", "trace flags kept: \(traceparents)")
            }

            let forwardedFor = request.values("X-Forwarded-For").joined(separator: ", ")
            #expect(forwardedFor.contains("127.0.0.1"), "X-Forwarded-For names the client: \(context)")
            #expect(request.values("X-Forwarded-Proto") == ["http"], "\(context)")
            #expect(request.values("X-Keep-Me") == ["yes"], "end-to-end headers pass: \(context)")
            #expect(request.values("Content-Type") == ["application/json"], "\(context)")
            for dropped in ["X-Drop-Me", "Keep-Alive", "TE"] {
                #expect(!request.has(dropped), "\(dropped) is hop-by-hop and must not be forwarded: \(context)")
            }
            #expect(
                !request.values("Connection").contains { $0.lowercased().contains("x-drop-me") },
                "the client's Connection header is not forwarded: \(context)"
            )
            #expect(request.values("Content-Length") == [String(body.count)], "one Content-Length, the body's: \(context)")
            #expect(request.body == body, "body intact: sent \(body.count) bytes, upstream got \(String(decoding: request.body, as: UTF8.self))")

            // What the client got back.
            let responseContext = "client got \(response.status) \(response.headers)"
            #expect(response.status == 200, "\(responseContext) \(response.text.prefix(300))")
            #expect(response.header("X-Upstream") == "yes", "\(responseContext)")
            #expect(!response.headers.contains { $0.name.caseInsensitiveCompare("X-Secret-Hop") == .orderedSame }, "\(responseContext)")
            #expect(!response.headers.contains { $0.name.caseInsensitiveCompare("Keep-Alive") == .orderedSame }, "\(responseContext)")
            #expect(response.text == FakeUpstream.echoBody, "response body intact: \(response.text.prefix(300))")
            #expect(response.header("X-Request-ID") == requestId, "\(responseContext)")
        }
    }

    // MARK: Streaming

    @Test("A 512 KiB chunked request body reaches the upstream intact (length and checksum)")
    func streamsLargeChunkedBody() async throws {
        try await withGateway(upstream: .echo, label: "echo-large") { upstream, gateway in
            let body = Self.pseudoRandomBytes(count: 512 * 1024, seed: 0x5EED_CAFE)
            let target = "/v1/auth/register"
            let head: String = [
                "POST \(target) HTTP/1.1",
                "Host: 127.0.0.1:\(gateway.port)",
                "Content-Type: application/octet-stream",
                "Transfer-Encoding: chunked",
                "Connection: close",
                "",
                "",
            ].joined(separator: "\r\n")
            var request: [UInt8] = Array(head.utf8)
            // Chunks of uneven sizes, so no boundary lines up with a buffer size by accident.
            let sizes = [1, 4096, 16_384, 65_536, 7, 30_000, 100_000, 333]
            var offset = 0
            var chunkCount = 0
            while offset < body.count {
                let size = min(sizes[chunkCount % sizes.count], body.count - offset)
                request += Array(String(size, radix: 16).utf8) + [13, 10]
                request += body[offset..<(offset + size)]
                request += [13, 10]
                offset += size
                chunkCount += 1
            }
            request += Array("0\r\n\r\n".utf8)

            let response = try RawExchange.send(port: gateway.port, request: request, timeoutSeconds: 20)
            #expect(response.status == 200, "client got \(response.status): \(response.text.prefix(300))")
            #expect(response.header("X-Received-Bytes") == String(body.count), "the upstream's count, passed back: \(response.headers)")

            let received = await upstream.waitForRequests(1, timeout: .seconds(2))
            #expect(upstream.errors.isEmpty, "fake upstream errors: \(upstream.errors)")
            try #require(received.count == 1, "exactly one request reaches the upstream, got \(received.count)")
            let upstreamRequest = try #require(received.first)
            #expect(upstreamRequest.requestLine == "POST \(target) HTTP/1.1", "upstream received:\n\(upstreamRequest.headText)")
            #expect(upstreamRequest.body.count == body.count, "length at the upstream (sent \(chunkCount) chunks)")
            #expect(
                Self.fnv1a64(upstreamRequest.body) == Self.fnv1a64(body),
                "checksum at the upstream differs; first differing byte at \(Self.firstDifference(upstreamRequest.body, body).map(String.init) ?? "none")"
            )
            let identical = upstreamRequest.body == body
            #expect(identical, "the upstream's body is byte-for-byte the client's")
        }
    }

    // MARK: Helpers

    /// Starts a fake upstream and a gateway in front of it, runs `body`, then stops the gateway
    /// (SIGTERM, SIGKILL after 5 s) and the fake, on every path out.
    private func withGateway(
        upstream mode: FakeUpstream.Mode,
        label: String,
        _ body: (FakeUpstream, GatewayUnderTest) async throws -> Void
    ) async throws {
        let upstream = try FakeUpstream(mode: mode)
        let http = HTTP()
        var gateway: GatewayUnderTest?
        do {
            let started = try await GatewayUnderTest.start(upstreamURL: upstream.baseURL, label: label, http: http)
            gateway = started
            try await body(upstream, started)
        } catch {
            if let gateway { print("integration: gateway log in \(gateway.process.logFile.path)") }
            await Self.tearDown(gateway, upstream, http)
            throw error
        }
        await Self.tearDown(gateway, upstream, http)
    }

    private static func tearDown(_ gateway: GatewayUnderTest?, _ upstream: FakeUpstream, _ http: HTTP) async {
        await gateway?.process.stop(grace: .seconds(5))
        if let gateway, gateway.process.isRunning {
            Issue.record("the test gateway (pid \(gateway.process.pid.map(String.init) ?? "?")) is still running after SIGKILL")
        }
        await upstream.stop()
        await http.shutdown()
    }

    /// `count` bytes from a xorshift generator: incompressible-looking, yet the same every run.
    static func pseudoRandomBytes(count: Int, seed: UInt64) -> Data {
        var state = seed == 0 ? 1 : seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        return Data(bytes)
    }

    /// 64-bit FNV-1a.
    static func fnv1a64(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func firstDifference(_ lhs: Data, _ rhs: Data) -> Int? {
        let left = [UInt8](lhs)
        let right = [UInt8](rhs)
        for index in 0..<min(left.count, right.count) where left[index] != right[index] {
            return index
        }
        return left.count == right.count ? nil : min(left.count, right.count)
    }
}

/// One api-gateway process of this suite's own, on a free port of 127.0.0.1.
private struct GatewayUnderTest: Sendable {
    let process: ServiceProcess
    let port: Int
    let http: HTTP

    func url(_ path: String) -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// Launches the gateway with `auth` and `product` at `upstreamURL`, every other service on a
    /// closed port, a 1 s client timeout; returns once `/health/ready` answers 200 (30 s at most).
    static func start(upstreamURL: String, label: String, http: HTTP) async throws -> GatewayUnderTest {
        let logDirectory = try Stack.makeLogDirectory()
        let ports = try Ports.free(Stack.serviceNames.count + 1)
        let port = ports[0]
        // Nothing listens on these: they were free a moment ago and nobody here binds them.
        let closedPorts = Dictionary(uniqueKeysWithValues: zip(Stack.serviceNames, ports.dropFirst()))
        var environment = try Stack.environment(
            for: Stack.gatewayName,
            port: port,
            ports: closedPorts,
            adminEmail: "",
            adminPassword: ""
        )
        // Static discovery: the shared stack's instances in the Redis registry are not ours.
        environment["DISCOVERY_BACKEND"] = "static"
        environment["SERVICES_AUTH_URLS"] = upstreamURL
        environment["SERVICES_PRODUCT_URLS"] = upstreamURL
        environment["CLIENT_TIMEOUT_SECONDS"] = "1"
        // No service token: fetching one would be a request of its own to the fake upstream.
        environment["SERVICE_CLIENT_SECRET"] = nil
        let process = try ServiceProcess(
            name: Stack.gatewayName,
            environment: environment,
            logFile: logDirectory.appendingPathComponent("api-gateway-\(label)-\(port).log")
        )
        try process.start()
        let gateway = GatewayUnderTest(process: process, port: port, http: http)
        do {
            try await gateway.waitUntilReady(deadline: ContinuousClock.now.advanced(by: .seconds(30)))
        } catch {
            await process.stop(grace: .seconds(5))
            throw error
        }
        return gateway
    }

    private func waitUntilReady(deadline: ContinuousClock.Instant) async throws {
        while true {
            guard process.isRunning else {
                let status = await process.waitForExit(timeout: .milliseconds(100))
                throw HarnessError(
                    "the test gateway exited (status \(status.map(String.init) ?? "?")) before it was ready; log \(process.logFile.path):\n"
                        + process.logTail()
                )
            }
            let live = try? await http.send(.GET, url("/health/live"), timeout: .seconds(1))
            if live?.status == 200 {
                let ready = try? await http.send(.GET, url("/health/ready"), timeout: .seconds(1))
                if ready?.status == 200 { return }
            }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("the test gateway was not ready within 30 s; log \(process.logFile.path):\n\(process.logTail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
