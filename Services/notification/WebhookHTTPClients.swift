import AsyncHTTPClient
import Logging
import NIOCore
import ServiceKit

/// The HTTP clients of webhook deliveries, kept apart from the client that calls other services
/// (which carries service tokens to internal addresses): no redirects, their own connect and
/// read timeouts, their own connection pools.
///
/// One client per ``WebhookDestination``: the address a client connects to is fixed in its
/// configuration (a DNS override from the checked host to the checked address), so a request
/// can only reach the address that was checked. A destination's client keeps its connections
/// for the next delivery to the same host and address. At most ``capacity`` clients are kept:
/// taking a new one first shuts down clients idle for ``idleTimeout`` and, when still full, the
/// least recently used idle one. ``shutdown()`` closes them all; the delivery worker calls it
/// when it stops.
actor WebhookHTTPClients {
    let connectTimeout: Duration
    let readTimeout: Duration
    let capacity: Int
    let idleTimeout: Duration
    private let logger: Logger
    private var entries: [WebhookDestination: Entry] = [:]
    private var isShutDown = false

    private struct Entry {
        var client: HTTPClient
        /// Requests using the client now; a client in use is never shut down before ``shutdown()``.
        var leases: Int
        var lastUsed: ContinuousClock.Instant
    }

    init(connectTimeout: Duration, readTimeout: Duration, capacity: Int = 32, idleTimeout: Duration = .seconds(60), logger: Logger) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.capacity = max(capacity, 1)
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    /// Runs `body` with the client that connects to `destination`'s address.
    nonisolated func withClient<Value: Sendable>(
        for destination: WebhookDestination,
        _ body: (HTTPClient) async throws -> Value
    ) async throws -> Value {
        let (client, retired) = try await self.lease(destination)
        await self.shutDown(retired)
        do {
            let value = try await body(client)
            await self.release(destination, client: client)
            return value
        } catch {
            await self.release(destination, client: client)
            throw error
        }
    }

    /// How many clients are open (for tests and metrics).
    var count: Int { self.entries.count }

    /// Shuts down every client; later requests fail with `HTTPClientError.alreadyShutdown`.
    func shutdown() async {
        self.isShutDown = true
        let clients = self.entries.values.map(\.client)
        self.entries = [:]
        await self.shutDown(clients)
    }

    private func lease(_ destination: WebhookDestination) throws -> (client: HTTPClient, retired: [HTTPClient]) {
        guard !self.isShutDown else { throw HTTPClientError.alreadyShutdown }
        let now = ContinuousClock.now
        var retired: [HTTPClient] = []
        for (key, entry) in self.entries where key != destination && entry.leases == 0 && now - entry.lastUsed >= self.idleTimeout {
            retired.append(entry.client)
            self.entries[key] = nil
        }
        if var entry = self.entries[destination] {
            entry.leases += 1
            entry.lastUsed = now
            self.entries[destination] = entry
            return (entry.client, retired)
        }
        if self.entries.count >= self.capacity,
            let oldest = self.entries.filter({ $0.value.leases == 0 }).min(by: { $0.value.lastUsed < $1.value.lastUsed })
        {
            retired.append(oldest.value.client)
            self.entries[oldest.key] = nil
        }
        let client = self.makeClient(for: destination)
        self.entries[destination] = Entry(client: client, leases: 1, lastUsed: now)
        return (client, retired)
    }

    private func release(_ destination: WebhookDestination, client: HTTPClient) {
        // After shutdown() the entry is gone (and the client closed): nothing to give back.
        guard var entry = self.entries[destination], entry.client === client else { return }
        entry.leases -= 1
        entry.lastUsed = ContinuousClock.now
        self.entries[destination] = entry
    }

    private func makeClient(for destination: WebhookDestination) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        // A redirect would lead to a host nobody checked.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .nanoseconds(self.connectTimeout.nanoseconds), read: .nanoseconds(self.readTimeout.nanoseconds))
        configuration.decompression = .disabled
        configuration.dnsOverride = [destination.host: destination.address.description]
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 8)
        // A refused connection fails the attempt now; the delivery's own backoff decides when to retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: self.logger)
    }

    private func shutDown(_ clients: [HTTPClient]) async {
        for client in clients {
            do {
                try await client.shutdown()
            } catch {
                self.logger.debug("webhook HTTP client did not shut down cleanly", metadata: ["error": "\(error)"])
            }
        }
    }
}
