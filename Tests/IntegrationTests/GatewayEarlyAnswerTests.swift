import Foundation
import Testing

extension ShopStackSuite {
    /// Found by the contract fuzzing: when an upstream answered from a request's head alone
    /// (405 here) while the body was still on its way, the gateway died with signal 4: the
    /// upload to the upstream and Hummingbird's own read of the rest of the request were two
    /// readers of one connection.
    @Suite("Gateway: an upstream that answers before the body has arrived")
    struct GatewayEarlyAnswerTests {
        @Test("A head first, its body later, to a route that refuses the method: 405, and the gateway lives on")
        func earlyAnswerKeepsTheGatewayAlive() async throws {
            let stack = try Stack.require()
            // The next tests find a whole stack whatever happened here.
            do {
                try await Self.exchange(stack)
            } catch {
                try? await stack.restore(Stack.gatewayName)
                throw error
            }
            try await stack.restore(Stack.gatewayName)
        }

        private static func exchange(_ stack: Stack) async throws {
            let customer = try await Session.register(stack)
            let body = #"{"cardNumber":"4242424242424242","expMonth":12,"expYear":2040,"cvc":"123"}"#
            let connection = try RawConnection(port: stack.gatewayPort)
            try connection.send(
                "PUT /v1/payments/methods HTTP/1.1\r\nHost: 127.0.0.1:\(stack.gatewayPort)\r\n"
                    + "Authorization: Bearer \(customer.accessToken)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n"
            )
            // Whether an answer comes before the body depends on the gateway (it may read the
            // body first); either way the body follows, as a slow client would send it.
            let early = try connection.readResponse(within: .seconds(1))
            try connection.send(body)
            let answer = try #require(try early ?? connection.readResponse(within: .seconds(10)), "no answer to PUT /v1/payments/methods")
            #expect(answer.status == 405, "\(answer.status): \(answer.text.prefix(300))")

            // The same connection carries the next request, and the gateway still runs.
            try connection.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:\(stack.gatewayPort)\r\nConnection: close\r\n\r\n")
            let next = try connection.readResponse(within: .seconds(10))
            #expect(next?.status == 200, "the next request on the connection: \(next.map { "\($0.status)" } ?? "no answer")")
            let gateway = try stack.process(Stack.gatewayName)
            #expect(gateway.isRunning, "the gateway exited: \(gateway.logTail())")
            let live = try? await stack.http.send(.GET, stack.url("/health/live"), timeout: .seconds(2))
            #expect(live?.status == 200)
        }
    }
}
