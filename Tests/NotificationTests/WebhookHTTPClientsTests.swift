import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import NotificationService

/// Where the webhooks' HTTP clients connect: only to the address that was checked.
struct WebhookHTTPClientsTests {
    let logger = Logger(label: "test.webhook-clients")

    private func post(_ url: String, via clients: WebhookHTTPClients, to destination: WebhookDestination) async throws -> Int {
        try await clients.withClient(for: destination) { client in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: "{}"))
            let response = try await client.execute(request, timeout: .seconds(10), logger: self.logger)
            _ = try await response.body.collect(upTo: 1024)
            return Int(response.status.code)
        }
    }

    /// `receiver.test` exists in no DNS: the request arrives only because the client connects to
    /// the checked address instead of resolving the name again (DNS rebinding has no second lookup
    /// to change).
    @Test func connectsToTheCheckedAddressAndKeepsTheHostName() async throws {
        let receiver = try await LocalReceiver()
        let clients = WebhookHTTPClients(connectTimeout: .seconds(5), readTimeout: .seconds(10), logger: self.logger)
        do {
            let destination = WebhookDestination(host: "receiver.test", address: .v4([127, 0, 0, 1]))
            let status = try await self.post("http://receiver.test:\(receiver.port)/hooks/a", via: clients, to: destination)
            #expect(status == 200)
            let head = try #require(receiver.requests.first)
            #expect(head.uri == "/hooks/a")
            #expect(head.headers["Host"] == ["receiver.test:\(receiver.port)"])
        } catch {
            await clients.shutdown()
            try await receiver.stop()
            throw error
        }
        await clients.shutdown()
        try await receiver.stop()
    }

    @Test func neverFollowsARedirect() async throws {
        let receiver = try await LocalReceiver(status: .found, headers: [("Location", "http://127.0.0.1:1/internal")])
        let clients = WebhookHTTPClients(connectTimeout: .seconds(5), readTimeout: .seconds(10), logger: self.logger)
        do {
            let destination = WebhookDestination(host: "127.0.0.1", address: .v4([127, 0, 0, 1]))
            let status = try await self.post("http://127.0.0.1:\(receiver.port)/hook", via: clients, to: destination)
            #expect(status == 302, "the redirect is the answer, not followed")
            #expect(receiver.requests.count == 1)
        } catch {
            await clients.shutdown()
            try await receiver.stop()
            throw error
        }
        await clients.shutdown()
        try await receiver.stop()
    }

    @Test func oneClientPerDestinationReusedAndBounded() async throws {
        let clients = WebhookHTTPClients(connectTimeout: .seconds(1), readTimeout: .seconds(1), capacity: 2, logger: self.logger)
        let first = WebhookDestination(host: "a.example.com", address: .v4([93, 184, 216, 34]))
        let rebound = WebhookDestination(host: "a.example.com", address: .v4([93, 184, 216, 35]))
        let other = WebhookDestination(host: "b.example.com", address: .v4([93, 184, 216, 34]))
        let identity = { (destination: WebhookDestination) in
            try await clients.withClient(for: destination) { ObjectIdentifier($0) }
        }
        let a1 = try await identity(first)
        let a2 = try await identity(first)
        #expect(a1 == a2, "the same destination reuses its client")
        let b = try await identity(rebound)
        #expect(b != a1, "another address of the same name is another client")
        #expect(await clients.count == 2)
        _ = try await identity(other)
        #expect(await clients.count == 2, "the least recently used idle client made room")
        await clients.shutdown()
        #expect(await clients.count == 0)
        await #expect(throws: HTTPClientError.self) { _ = try await identity(first) }
    }
}
