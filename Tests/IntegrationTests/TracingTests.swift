import Foundation
import Testing

extension ShopStackSuite {
    /// Distributed tracing across HTTP calls and events, as exported over OTLP/HTTP to a receiver
    /// in the test process (``Stack/traces``).
    @Suite("Tracing")
    struct TracingTests {
        @Test("One checkout is one trace: gateway, order, product, payment and notification's consumer span, each with the right parent")
        func checkoutIsOneTrace() async throws {
            let stack = try Stack.require()
            let receiver = try #require(Stack.traces, "the OTLP receiver runs")
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 5, price: 1250)
            let session = try await Session.register(stack)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)

            // The client starts the trace and asks for it to be sampled.
            let traceID = Self.randomHex(bytes: 16)
            let clientSpan = Self.randomHex(bytes: 8)
            let placed = try await Orders.submit(
                stack,
                session,
                body: Orders.body(items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId),
                headers: [("traceparent", "00-\(traceID)-\(clientSpan)-01")]
            )
            #expect(placed.status == 202, "\(placed.text)")
            let order = try decodeBody(ShopOrder.self, placed, what: "POST /v1/orders")
            let final = try await Orders.awaitFinal(stack, session, order.id)
            #expect(final.status == "confirmed", "\(final.outcome)")

            let spans = await receiver.awaitTrace(traceID, timeout: .seconds(20)) { spans in
                spans.contains { $0.service == "notification" && $0.kind == .consumer && $0.name == "process order.confirmed" }
                    && spans.contains { $0.service == "payment" && $0.kind == .server && $0.name == "shop.payment.v1.Payments/Capture" }
            }
            #expect(receiver.errors.isEmpty, "OTLP bodies that did not decode: \(receiver.errors)")
            let listing = spans.map(\.description).joined(separator: "\n")
            let byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
            func parent(of span: ReceivedSpan) -> ReceivedSpan? { byID[span.parentSpanID] }

            // The gateway continues the client's span; every other span's parent is in the trace.
            let gatewayServer = try #require(
                spans.first { $0.service == "api-gateway" && $0.kind == .server && $0.parentSpanID == clientSpan },
                "a gateway server span whose parent is the client's span:\n\(listing)"
            )
            for span in spans where span.spanID != gatewayServer.spanID {
                #expect(parent(of: span) != nil, "the parent of \(span) is in the trace:\n\(listing)")
            }

            // gateway → order: the gateway's client span is the parent of order's server span.
            let orderServer = try #require(
                spans.first { $0.service == "order" && $0.kind == .server && $0.name == "/v1/orders" },
                "order's server span for POST /v1/orders:\n\(listing)"
            )
            let gatewayClient = parent(of: orderServer)
            #expect(gatewayClient?.service == "api-gateway" && gatewayClient?.kind == .client, "\(listing)")
            #expect(gatewayClient.flatMap(parent(of:))?.spanID == gatewayServer.spanID, "\(listing)")

            // The saga's steps continue the placing request: children of order's server span.
            let sagaSteps = spans.filter { $0.service == "order" && $0.name.hasPrefix("saga ") }
            for step in ["saga reserve_stock", "saga authorize_payment", "saga commit_stock", "saga capture_payment"] {
                let span = sagaSteps.first { $0.name == step }
                #expect(span?.parentSpanID == orderServer.spanID, "\(step) is a child of order's server span:\n\(listing)")
            }

            // order → product and order → payment: each server span's parent is an order client
            // span inside a saga step (or inside the placement, for the price lookup).
            for service in ["product", "payment"] {
                let servers = spans.filter { $0.service == service && $0.kind == .server }
                #expect(!servers.isEmpty, "\(service) server spans:\n\(listing)")
                for server in servers {
                    let caller = parent(of: server)
                    #expect(caller?.service == "order" && caller?.kind == .client, "\(server) is called by an order client span:\n\(listing)")
                }
            }
            #expect(
                spans.contains { $0.service == "product" && $0.kind == .server && parent(of: $0).flatMap(parent(of:))?.name == "saga reserve_stock" },
                "product's reservation is called from the reserve step:\n\(listing)"
            )

            // The event hop: order publishes order.confirmed in a producer span of this trace and
            // notification handles it in a consumer span whose parent is that producer span.
            let producer = try #require(
                spans.first { $0.service == "order" && $0.kind == .producer && $0.name == "publish order.confirmed" },
                "order's producer span for order.confirmed:\n\(listing)"
            )
            let consumer = try #require(
                spans.first { $0.service == "notification" && $0.kind == .consumer && $0.name == "process order.confirmed" },
                "notification's consumer span for order.confirmed:\n\(listing)"
            )
            #expect(consumer.parentSpanID == producer.spanID, "\(listing)")
            #expect(parent(of: producer)?.service == "order", "the event was written inside order's work:\n\(listing)")
            #expect(
                spans.contains { $0.service == "notification" && $0.name == "db.transaction" && $0.parentSpanID == consumer.spanID },
                "the handler's transaction is a child of the consumer span:\n\(listing)"
            )
        }

        @Test("Log lines of a traced request carry its trace and span id")
        func logsCarryTraceAndSpanIDs() async throws {
            let stack = try Stack.require()
            let traceID = Self.randomHex(bytes: 16)
            let requestID = "trace-log-\(UUID().uuidString.lowercased())"
            let response = try await stack.http.send(
                .GET,
                stack.url("/v1/products?limit=1"),
                headers: [("traceparent", "00-\(traceID)-\(Self.randomHex(bytes: 8))-00"), ("X-Request-ID", requestID)]
            )
            #expect(response.status == 200)
            for name in [Stack.gatewayName, "product"] {
                let process = try stack.process(name)
                let deadline = ContinuousClock.now + .seconds(5)
                var lines: [[String: Any]] = []
                repeat {
                    lines = process.logLines().compactMap { line in
                        guard line.contains(requestID) else { return nil }
                        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    }
                    if !lines.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(100))
                } while ContinuousClock.now < deadline
                #expect(!lines.isEmpty, "\(name) logged the request:\n\(process.logTail())")
                for line in lines {
                    #expect(line["traceId"] as? String == traceID, "\(name): \(line)")
                    let spanID = line["spanId"] as? String ?? ""
                    #expect(spanID.utf8.count == 16 && spanID.allSatisfy(\.isHexDigit), "\(name): \(line)")
                }
            }
        }

        private static func randomHex(bytes: Int) -> String {
            (0..<bytes).map { index in
                // Never all zero: the first byte is at least 1.
                let byte = UInt8.random(in: index == 0 ? 1...255 : 0...255)
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        }
    }
}
