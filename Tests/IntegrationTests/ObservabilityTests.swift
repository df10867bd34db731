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

        @Test("A confirmed checkout moves the business counters of order, product and payment")
        func checkoutMovesBusinessMetrics() async throws {
            let stack = try Stack.require()
            let series: [(service: String, line: String)] = [
                ("order", "orders_placed_total"),
                ("order", "orders_confirmed_total"),
                ("order", "order_place_to_confirmed_seconds_count"),
                ("order", "order_saga_step_duration_seconds_count{step=\"reserve_stock\"}"),
                ("product", "stock_reservations_total{transition=\"made\"}"),
                ("product", "stock_reservations_total{transition=\"committed\"}"),
                ("payment", "payments_total{operation=\"authorize\",outcome=\"succeeded\"}"),
                ("payment", "payments_total{operation=\"capture\",outcome=\"succeeded\"}"),
            ]
            func values() async throws -> [Double] {
                var values: [Double] = []
                for (service, line) in series {
                    let text = try await metrics(try stack.url("/metrics", on: service), stack)
                    let sample = text.split(separator: "\n").first { $0.hasPrefix(line + " ") }
                    values.append(sample.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? -1)
                }
                return values
            }
            let before = try await values()
            for (index, value) in before.enumerated() {
                #expect(value >= 0, "\(series[index].service) exports \(series[index].line) from its start")
            }
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 3, price: 500)
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)
            let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
            let final = try await Orders.awaitFinal(stack, session, order.id)
            #expect(final.status == "confirmed", "\(final.outcome)")
            // Counted once each transaction committed, which may be a moment after the answer.
            var after = try await values()
            let deadline = ContinuousClock.now + .seconds(5)
            while zip(before, after).contains(where: { $1 < $0 + 1 }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                after = try await values()
            }
            for index in series.indices {
                #expect(after[index] >= before[index] + 1, "\(series[index].line): \(before[index]) → \(after[index])")
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
