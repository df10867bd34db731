import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ShopStackSuite {
    @Suite("Upstream failure")
    struct UpstreamFailureTests {
        /// What `/v1/status` says: the top-level status and each service's.
        private func status(_ stack: Stack) async throws -> (overall: String?, services: [String: String]) {
            let response = try await stack.http.send(.GET, stack.url("/v1/status"), timeout: .seconds(5))
            #expect(response.status == 200, "/v1/status answers 200 even when degraded: \(response.text)")
            let object = try response.jsonObject()
            var services: [String: String] = [:]
            for entry in object["services"] as? [[String: Any]] ?? [] {
                if let name = entry["name"] as? String {
                    services[name] = entry["status"] as? String
                }
            }
            return (object["status"] as? String, services)
        }

        @Test("A killed product gives 503 + Retry-After within 1 s, status degraded, and recovers after a restart")
        func killedUpstreamIsReportedAndRecovers() async throws {
            let stack = try Stack.require()
            let product = try stack.process("product")
            do {
                try await killAndRecover(stack, product)
            } catch {
                do {
                    try await stack.restore("product")
                } catch let restoreError {
                    Issue.record("could not restore product: \(restoreError)")
                }
                throw error
            }
            // Whatever happened above, the next test gets a whole stack.
            try await stack.restore("product")
        }

        private func killAndRecover(_ stack: Stack, _ product: ServiceProcess) async throws {
            let gatewayPid = try stack.process(Stack.gatewayName).pid
            let warmUp = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            #expect(warmUp.status == 200, "product works before the kill")

            product.terminate(signal: SIGKILL)
            let killedAt = ContinuousClock.now
            #expect(await product.waitForExit(timeout: .seconds(5)) != nil, "product died")

            // Poll: the first 503 must come within 1 s of the kill.
            var unavailable: HTTPResult?
            var lastSeen = "no answer"
            while ContinuousClock.now - killedAt < .seconds(1) {
                let sentAt = ContinuousClock.now
                do {
                    let response = try await stack.http.send(.GET, stack.url("/v1/products"), timeout: .seconds(1))
                    lastSeen = "\(response.status) after \(ContinuousClock.now - sentAt): \(response.text.prefix(200))"
                    if response.status == 503, ContinuousClock.now - killedAt <= .seconds(1) {
                        unavailable = response
                        break
                    }
                } catch {
                    lastSeen = "\(error) after \(ContinuousClock.now - sentAt)"
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let response = try #require(unavailable, "no 503 within 1 s of killing product; last answer: \(lastSeen)")
            expectProblem(response, status: 503, path: "/v1/products")
            let retryAfter = try #require(response.header("Retry-After"), "503 carries Retry-After")
            #expect(Int(retryAfter).map { $0 >= 0 } == true, "Retry-After is delay-seconds: \(retryAfter)")

            // The status page notices (bounded poll: it may probe on its own schedule).
            var degraded: (overall: String?, services: [String: String]) = (nil, [:])
            let statusDeadline = ContinuousClock.now.advanced(by: .seconds(5))
            repeat {
                degraded = try await status(stack)
                if degraded.services["product"] == "down" { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < statusDeadline
            #expect(degraded.services["product"] == "down", "status: \(degraded)")
            #expect(degraded.overall == "degraded", "status: \(degraded)")
            for name in Stack.allNames where name != "product" {
                #expect(degraded.services[name] == "up", "\(name) is unaffected: \(degraded)")
            }

            // Same port, same environment, no gateway restart: back within 15 s.
            try product.restart()
            let restartedAt = ContinuousClock.now
            var recovered = false
            while ContinuousClock.now - restartedAt < .seconds(15) {
                if let response = try? await stack.http.send(.GET, stack.url("/v1/products"), timeout: .seconds(2)),
                    response.status == 200
                {
                    recovered = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(recovered, "GET /v1/products answers 200 within 15 s of restarting product; log:\n\(product.logTail())")

            var healthy: (overall: String?, services: [String: String]) = (nil, [:])
            repeat {
                healthy = try await status(stack)
                if healthy.services["product"] == "up", healthy.overall == "ok" { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now - restartedAt < .seconds(15)
            #expect(healthy.services["product"] == "up", "status: \(healthy)")
            #expect(healthy.overall == "ok", "status: \(healthy)")
            #expect(try stack.process(Stack.gatewayName).pid == gatewayPid, "the gateway was never restarted")
        }
    }
}
