import Logging
import NIOSSL
import ServiceKit
import Testing

/// `rediss://` URLs and `REDIS_TLS_CA_FILE`: parsing, and ``RedisClient`` against the test Redis,
/// which offers TLS (with the run's certificate) on a port beside its plain one.
@Suite("Redis TLS")
struct RedisTLSTests {
    private func configuration(_ settings: [String: String]) throws -> ServiceConfiguration {
        try ServiceConfiguration(service: "api-gateway", defaultPort: 8080, usesDatabase: false, settings: SettingsReader(environment: settings))
    }

    // MARK: Settings

    @Test func redissTurnsOnTLS() throws {
        let configuration = try RedisConfiguration(url: "rediss://:s3cret@cache.internal:6380/2")
        #expect(configuration.tls != nil)
        #expect(configuration.tls?.trustRoots == nil, "the system's authorities unless told otherwise")
        #expect(configuration.host == "cache.internal" && configuration.port == 6380 && configuration.database == 2)
        #expect(configuration.description.hasPrefix("rediss://:***@cache.internal:6380/2"))
        #expect(try RedisConfiguration(url: "redis://cache").tls == nil)
    }

    @Test func theAuthorityFileIsReadAtStart() throws {
        let configuration = try self.configuration(["REDIS_URL": "rediss://127.0.0.1:6380", "REDIS_TLS_CA_FILE": try TLSTestFiles.caFile])
        #expect(configuration.redis.tls?.trustRoots?.count == 1)
    }

    @Test(
        "A bad Redis TLS setting names itself",
        arguments: [
            ["REDIS_URL": "redis://127.0.0.1:6379", "REDIS_TLS_CA_FILE": "/etc/hostname"],
            ["REDIS_URL": "rediss://127.0.0.1:6379", "REDIS_TLS_CA_FILE": "/nonexistent/ca.pem"],
            ["REDIS_URL": "rediss://127.0.0.1:6379", "REDIS_TLS_CA_FILE": "/etc/hostname"],
        ]
    )
    func badSettings(settings: [String: String]) throws {
        let error = try #require(throws: ConfigurationError.self) { try self.configuration(settings) }
        #expect(error.setting == "REDIS_TLS_CA_FILE")
    }

    // MARK: Connections

    /// Runs `body` with a running client for `url`, trusting `caFile` (the system's authorities when nil).
    @discardableResult
    private func withClient<T: Sendable>(
        _ url: String,
        caFile: String?,
        connectTimeout: Duration = .seconds(5),
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        var configuration = try RedisConfiguration(url: url)
        if let caFile { configuration.tls?.trustRoots = try NIOSSLCertificate.fromPEMFile(caFile) }
        configuration.connectTimeout = connectTimeout
        let client = RedisClient(configuration: configuration, logger: Logger(label: "redis-tls-test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    @Test("With the right authority: commands work over TLS (by IP address and by host name)", arguments: ["127.0.0.1", "localhost"])
    func commandsOverTLS(host: String) async throws {
        let url = try TLSTestFiles.redisURL.replacingOccurrences(of: "127.0.0.1", with: host)
        try await self.withClient(url, caFile: try TLSTestFiles.caFile) { redis in
            let key = RedisTestServer.uniqueName("tls")
            try await redis.send("SET", RedisArgument(key), "over tls", "PX", "10000")
            #expect(try await redis.send("GET", RedisArgument(key)).string == "over tls")
            // The server sees this connection arrive on its TLS port.
            let info = try await redis.send("CLIENT", "INFO").string ?? ""
            #expect(info.contains("laddr=127.0.0.1:\(try RedisConfiguration(url: url).port) "), "\(info)")
        }
    }

    @Test("With an unrelated authority: the connection fails at once, saying the handshake failed")
    func wrongAuthorityIsRefused() async throws {
        try await self.withClient(try TLSTestFiles.redisURL, caFile: try TLSTestFiles.otherCAFile) { redis in
            let error = try await #require(throws: RedisClientError.self) { try await redis.ping() }
            guard case .connectionFailed(let reason) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(reason.contains("TLS handshake failed"), "\(reason)")
            #expect(reason.contains("REDIS_TLS_CA_FILE"), "\(reason)")
        }
    }

    @Test("With the system's authorities: the run's private authority is refused")
    func systemAuthoritiesRefuseAPrivateOne() async throws {
        try await self.withClient(try TLSTestFiles.redisURL, caFile: nil) { redis in
            await #expect(throws: RedisClientError.self) { try await redis.ping() }
        }
    }

    @Test("rediss:// to the plain port fails within the connect timeout instead of hanging")
    func tlsToAPlainPortFails() async throws {
        let plain = try RedisTestServer.configuration()
        try await self.withClient("rediss://\(plain.host):\(plain.port)", caFile: try TLSTestFiles.caFile, connectTimeout: .seconds(2)) { redis in
            let error = try await #require(throws: RedisClientError.self) { try await redis.ping() }
            guard case .connectionFailed = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
        }
    }
}
