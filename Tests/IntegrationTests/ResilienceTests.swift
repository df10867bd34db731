import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ShopStackSuite {
    /// Replicas behind the Redis registry, failover on idempotent reads, and the gateway's rate
    /// limits (shared through Redis, local while Redis is down).
    @Suite("Resilience and scale-out")
    struct ResilienceTests {
        /// Starts an extra instance of `name` on a free port and waits until it is ready.
        private static func startExtra(_ name: String, _ stack: Stack, label: String) async throws -> (ServiceProcess, Int) {
            let port = try Ports.free(1)[0]
            let process = try ServiceProcess(
                name: name,
                environment: try stack.environment(for: name, port: port),
                logFile: stack.logDirectory.appendingPathComponent("\(name)-\(label)-\(port).log")
            )
            try process.start()
            try await Self.waitReady(process, port: port, stack)
            return (process, port)
        }

        private static func waitReady(_ process: ServiceProcess, port: Int, _ stack: Stack) async throws {
            for _ in 0..<300 {
                guard process.isRunning else { throw HarnessError("\(process.name) on \(port) exited:\n\(process.logTail())") }
                if let ready = try? await stack.http.send(.GET, "http://127.0.0.1:\(port)/health/ready", timeout: .seconds(1)),
                    ready.status == 200
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw HarnessError("\(process.name) on \(port) was not ready within 30 s:\n\(process.logTail())")
        }

        /// Requests an instance served on `route` so far, from its own `/metrics`.
        private static func served(_ route: String, port: Int, _ stack: Stack) async throws -> Int {
            let metrics = try await stack.http.send(.GET, "http://127.0.0.1:\(port)/metrics")
            return metrics.text.split(separator: "\n")
                .filter { $0.hasPrefix("http_requests_total{") && $0.contains("route=\"\(route)\"") && $0.contains("method=\"GET\"") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0) { $0 + Int($1) }
        }

        /// The instances the admin view of `/v1/status` lists for `service`, with their status.
        private static func instances(of service: String, token: String, _ stack: Stack) async throws -> [(url: String, status: String)] {
            let response = try await stack.http.send(.GET, stack.url("/v1/status"), headers: [bearer(token)])
            let services = try response.jsonObject()["services"] as? [[String: Any]] ?? []
            let entry = services.first { $0["name"] as? String == service }
            return (entry?["instances"] as? [[String: Any]] ?? []).map { ($0["url"] as? String ?? "", $0["status"] as? String ?? "") }
        }

        @Test("Two replicas of product and order register and both serve; one killed, reads go on without an error")
        func replicasShareTheLoadAndFailOver() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let customer = try await Session.register(stack, waitForProfile: false)
            let (extraProduct, productPort) = try await Self.startExtra("product", stack, label: "replica")
            let (extraOrder, orderPort) = try await Self.startExtra("order", stack, label: "replica")
            do {
                // Both registered: the admin status lists two ready instances of each.
                var listed = false
                for _ in 0..<100 {
                    let products = try await Self.instances(of: "product", token: admin.accessToken, stack)
                    let orders = try await Self.instances(of: "order", token: admin.accessToken, stack)
                    listed =
                        products.contains { $0.url.hasSuffix(":\(productPort)") && $0.status == "up" } && products.count >= 2
                        && orders.contains { $0.url.hasSuffix(":\(orderPort)") && $0.status == "up" } && orders.count >= 2
                    if listed { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(listed, "the admin status lists both product and both order instances")
                // The admin view shows breakers; a customer's does not show instances at all.
                let plain = try await stack.http.send(.GET, stack.url("/v1/status"), headers: [bearer(customer.accessToken)])
                #expect(!plain.text.contains("\"instances\""), "instances are for admins: \(plain.text.prefix(300))")

                let productBefore = (
                    try await Self.served("/v1/products", port: productPort, stack),
                    try await Self.served("/v1/products", port: try stack.port("product"), stack)
                )
                let orderBefore = (
                    try await Self.served("/v1/orders", port: orderPort, stack),
                    try await Self.served("/v1/orders", port: try stack.port("order"), stack)
                )
                for _ in 0..<40 {
                    let read = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
                    #expect(read.status == 200, "\(read.text.prefix(300))")
                    let orders = try await stack.http.send(.GET, stack.url("/v1/orders"), headers: [bearer(customer.accessToken)])
                    #expect(orders.status == 200, "\(orders.text.prefix(300))")
                }
                let productGain = (
                    try await Self.served("/v1/products", port: productPort, stack) - productBefore.0,
                    try await Self.served("/v1/products", port: try stack.port("product"), stack) - productBefore.1
                )
                let orderGain = (
                    try await Self.served("/v1/orders", port: orderPort, stack) - orderBefore.0,
                    try await Self.served("/v1/orders", port: try stack.port("order"), stack) - orderBefore.1
                )
                #expect(productGain.0 > 0 && productGain.1 > 0, "both product instances served reads: \(productGain)")
                #expect(orderGain.0 > 0 && orderGain.1 > 0, "both order instances served reads: \(orderGain)")

                // SIGKILL: it stays registered until its TTL runs out, and no client sees that.
                extraProduct.terminate(signal: SIGKILL)
                _ = await extraProduct.waitForExit(timeout: .seconds(5))
                var failures: [String] = []
                for _ in 0..<50 {
                    let read = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
                    if read.status != 200 { failures.append("\(read.status) \(read.text.prefix(120))") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(failures.isEmpty, "reads after the kill: \(failures)")
            } catch {
                await extraProduct.stop(grace: .seconds(3))
                await extraOrder.stop(grace: .seconds(3))
                throw error
            }
            await extraProduct.stop(grace: .seconds(3))
            await extraOrder.stop(grace: .seconds(3))
        }

        /// A gateway of its own in front of the stack's services, with low anonymous limits.
        private static func startLimitedGateway(_ stack: Stack, label: String, limits: String) async throws -> (ServiceProcess, Int) {
            let port = try Ports.free(1)[0]
            var environment = try stack.environment(for: Stack.gatewayName, port: port)
            environment["RATE_LIMITS"] = limits
            let process = try ServiceProcess(
                name: Stack.gatewayName,
                environment: environment,
                logFile: stack.logDirectory.appendingPathComponent("api-gateway-\(label)-\(port).log")
            )
            try process.start()
            try await Self.waitReady(process, port: port, stack)
            return (process, port)
        }

        @Test("A burst answers 429 with Retry-After and RateLimit headers, and two gateways share one bucket")
        func burstIsLimitedAcrossGateways() async throws {
            let stack = try Stack.require()
            let (first, firstPort) = try await Self.startLimitedGateway(stack, label: "limited-a", limits: "anonymous=1/4")
            let (second, secondPort) = try await Self.startLimitedGateway(stack, label: "limited-b", limits: "anonymous=1/4")
            do {
                var allowed = 0
                var refused: HTTPResult?
                for index in 0..<12 {
                    let port = index.isMultiple(of: 2) ? firstPort : secondPort
                    let response = try await stack.http.send(.GET, "http://127.0.0.1:\(port)/v1/products?limit=1")
                    if response.status == 200 {
                        allowed += 1
                        #expect(response.header("RateLimit-Limit") == "4", "\(response.headers)")
                        #expect(response.header("RateLimit-Remaining").flatMap(Int.init) != nil)
                    } else if response.status == 429, refused == nil {
                        refused = response
                    }
                }
                // One bucket of 4 (plus at most a token or two of refill), not 4 per gateway.
                #expect((4...6).contains(allowed), "allowed \(allowed) of 12 through two gateways sharing a bucket")
                let limited = try #require(refused, "a burst of 12 got no 429")
                expectProblem(limited, status: 429, path: "/v1/products")
                let retryAfter = try #require(limited.header("Retry-After").flatMap(Int.init), "Retry-After: \(limited.headers)")
                #expect(retryAfter >= 1)
                #expect(limited.header("RateLimit-Remaining") == "0")
            } catch {
                await first.stop(grace: .seconds(3))
                await second.stop(grace: .seconds(3))
                throw error
            }
            await first.stop(grace: .seconds(3))
            await second.stop(grace: .seconds(3))
        }

        @Test("With Redis down the gateway still serves, under local limits")
        func redisDownFallsBackToLocalLimits() async throws {
            let stack = try Stack.require()
            let (gateway, port) = try await Self.startLimitedGateway(stack, label: "local-limits", limits: "anonymous=1/3")
            var statuses: [Int] = []
            do {
                try RedisControl.shutdown()
                for _ in 0..<8 {
                    let response = try await stack.http.send(.GET, "http://127.0.0.1:\(port)/v1/products?limit=1")
                    statuses.append(response.status)
                }
            } catch {
                try? await RedisControl.ensureRunning()
                await gateway.stop(grace: .seconds(3))
                throw error
            }
            try await RedisControl.ensureRunning()
            await gateway.stop(grace: .seconds(3))
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 }, "served while Redis was down: \(statuses)")
            #expect(statuses.contains(429), "local limits still apply: \(statuses)")
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
            // The stack recovers from the outage by itself.
            for name in Stack.allNames where !(try stack.process(name).isRunning) {
                try await stack.restore(name)
            }
        }
    }
}
