import Foundation
import Testing

extension ShopStackSuite {
    @Suite("Observability")
    struct ObservabilityTests {
        private func metrics(_ url: String, _ stack: Stack) async throws -> String {
            let response = try await stack.http.send(.GET, url)
            #expect(response.status == 200, "\(url)")
            #expect(response.contentType?.lowercased().hasPrefix("text/plain") == true, "Prometheus text: \(response.contentType ?? "none")")
            return response.text
        }

        @Test("GET /metrics on the gateway and on a service directly is Prometheus text with HTTP metrics")
        func exposesMetrics() async throws {
            let stack = try Stack.require()
            _ = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            for url in [stack.url("/metrics"), try stack.url("/metrics", on: "product")] {
                let text = try await metrics(url, stack)
                #expect(text.contains("http_requests_total"), "\(url)")
                #expect(text.contains("http_request_duration_seconds"), "\(url)")
                // Prometheus exposition: every sample line is `name{labels} value` or `name value`.
                for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
                    let value = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                    #expect(Double(value) != nil || ["+Inf", "-Inf", "NaN"].contains(value), "sample line: \(line)")
                }
            }
        }

        @Test("After a product call the gateway reports the product breaker state")
        func reportsBreakerState() async throws {
            let stack = try Stack.require()
            let call = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            #expect(call.status == 200)
            let text = try await metrics(stack.url("/metrics"), stack)
            let breakerLines = text.split(separator: "\n").filter { $0.hasPrefix("service_client_breaker_state{") }
            #expect(
                breakerLines.contains { $0.contains("\"product\"") },
                "a service_client_breaker_state line for product: \(breakerLines)"
            )
        }

        @Test("Every stdout line starting with { is a JSON object with time, level, service and message")
        func logsAreJSONLines() async throws {
            let stack = try Stack.require()
            let levels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            for name in Stack.allNames {
                let lines = try stack.process(name).logLines().filter { $0.hasPrefix("{") }
                #expect(!lines.isEmpty, "\(name) logged JSON lines")
                for line in lines {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                        Issue.record("\(name): not a JSON object: \(line.prefix(300))")
                        continue
                    }
                    for key in ["time", "level", "service", "message"] {
                        #expect(object[key] is String, "\(name): \(key) in \(line.prefix(300))")
                    }
                    #expect((object["level"] as? String).map { levels.contains($0.lowercased()) } == true, "\(name) level: \(line.prefix(300))")
                    #expect(object["service"] as? String == name, "\(name) service field: \(line.prefix(300))")
                }
            }
        }

        @Test("A request's X-Request-ID shows up in the product's log")
        func requestIdIsLogged() async throws {
            let stack = try Stack.require()
            let requestId = "log-probe-\(UUID().uuidString.lowercased())"
            let response = try await stack.http.send(.GET, stack.url("/v1/products"), headers: [("X-Request-ID", requestId)])
            #expect(response.status == 200)

            let product = try stack.process("product")
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            var found = false
            repeat {
                found = product.logLines().contains { line in Self.line(line, hasRequestId: requestId) }
                if found { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(found, "product log has a line with \"requestId\":\"\(requestId)\"; last lines:\n\(product.logTail())")
        }

        @Test("Passwords never appear in any log")
        func secretsStayOutOfLogs() async throws {
            let stack = try Stack.require()
            let password = "secret-\(UUID().uuidString)"
            let email = "logcheck-\(UUID().uuidString.lowercased())@example.com"
            let register = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/register"),
                json: #"{"email":"\#(email)","password":"\#(password)","name":"Log Check"}"#
            )
            #expect(register.status == 201, "\(register.text)")
            // Every consumer of user.registered has handled it (and so logged whatever it logs).
            try await EventSettling.awaitSettled()
            for name in Stack.allNames {
                let log = try stack.process(name).log()
                #expect(!log.contains(password), "\(name) logged a registration password")
                #expect(!log.contains(stack.adminPassword), "\(name) logged the admin password")
            }
        }

        /// The line is JSON with `requestId` at the top level or in `metadata`, or has it spelled out literally.
        private static func line(_ line: String, hasRequestId requestId: String) -> Bool {
            if line.contains("\"requestId\":\"\(requestId)\"") || line.contains("\"requestId\": \"\(requestId)\"") {
                return true
            }
            guard line.hasPrefix("{"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return false }
            if object["requestId"] as? String == requestId { return true }
            return (object["metadata"] as? [String: Any])?["requestId"] as? String == requestId
        }
    }
}
