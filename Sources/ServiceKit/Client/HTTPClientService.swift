import AsyncHTTPClient
import ServiceLifecycle

/// Keeps an `HTTPClient` open while the service group runs and shuts it down after the
/// services that use it have stopped.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await self.client.shutdown()
    }
}
