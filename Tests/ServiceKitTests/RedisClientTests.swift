import Foundation
import Logging
import NIOCore
import ServiceKit
import Testing

/// ``RedisClient`` against a real redis-server at `REDIS_TEST_URL` (e.g. `redis://127.0.0.1:6379`).
///
/// Serialized because some tests kill connections or block one. Every test uses keys under its own random prefix.
@Suite(.serialized)
struct RedisClientTests {
    /// The server under test; fails the test (never skips it) when the variable is missing.
    private func testConfiguration() throws -> RedisConfiguration {
        let url = try #require(
            ProcessInfo.processInfo.environment["REDIS_TEST_URL"],
            "REDIS_TEST_URL is not set: start redis-server and export REDIS_TEST_URL=redis://127.0.0.1:6379"
        )
        return try RedisConfiguration(url: url)
    }

    /// Settings a test changes from the test server's configuration.
    private struct Overrides {
        var host: String?
        var port: Int?
        var clearPassword = false
        var password: String?
        var database: Int?
        var poolSize: Int?
        var commandTimeout: Duration?

        func apply(to configuration: inout RedisConfiguration) {
            if let host { configuration.host = host }
            if let port { configuration.port = port }
            if self.clearPassword { configuration.password = nil }
            if let password { configuration.password = password }
            if let database { configuration.database = database }
            if let poolSize { configuration.poolSize = poolSize }
            if let commandTimeout { configuration.commandTimeout = commandTimeout }
        }
    }

    /// Runs `body` with a client whose `run()` is going, then shuts the client down.
    private func withClient<T: Sendable>(
        _ overrides: Overrides = Overrides(),
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        var configuration = try self.testConfiguration()
        overrides.apply(to: &configuration)
        let client = RedisClient(configuration: configuration, logger: Logger(label: "redis-test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            let result = try await body(client)
            group.cancelAll()
            try await group.waitForAll()
            return result
        }
    }

    private func uniquePrefix(_ test: String = #function) -> String {
        "test:redis:\(test.prefix(while: { $0 != "(" })):\(UInt64.random(in: 0...UInt64.max)):"
    }

    @Test func setAndGetBinarySafeValue() async throws {
        let key = self.uniquePrefix() + "value"
        let value = (0...255).map { UInt8($0) } + Array("\r\n$-1\r\n".utf8)
        try await self.withClient { (client) async throws in
            #expect(try await client.send("SET", RedisArgument(key), RedisArgument(value), "EX", 60) == .simpleString("OK"))
            #expect(try await client.send("GET", RedisArgument(key)).bytes == value)
            #expect(try await client.send("GET", RedisArgument(key + ":missing")).isNull)
            #expect(try await client.send(["DEL", RedisArgument(key)]) == .integer(1))
        }
    }

    @Test func integerReplies() async throws {
        let key = self.uniquePrefix() + "counter"
        try await self.withClient { (client) async throws in
            #expect(try await client.send("INCRBY", RedisArgument(key), 5) == .integer(5))
            #expect(try await client.send("DECRBY", RedisArgument(key), 8).int == -3)
            #expect(try await client.send("GET", RedisArgument(key)).int == -3)
            try await client.send("DEL", RedisArgument(key))
        }
    }

    @Test func errorReplyIsThrownAsServerError() async throws {
        let key = self.uniquePrefix() + "string"
        try await self.withClient { (client) async throws in
            try await client.send("SET", RedisArgument(key), "text")
            let error = await #expect(throws: RedisClientError.self) { try await client.send("LPUSH", RedisArgument(key), "x") }
            guard case .server(let message) = error else {
                Issue.record("expected a server error, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))
            await #expect(throws: RedisClientError.self) { try await client.send("NOSUCHCOMMAND") }
            // The connection stays usable after error replies.
            try await client.ping()
            try await client.send("DEL", RedisArgument(key))
        }
    }

    @Test func pipelineOfAThousandIncrements() async throws {
        let key = self.uniquePrefix() + "counter"
        try await self.withClient { (client) async throws in
            let replies = try await client.pipeline(Array(repeating: ["INCR", RedisArgument(key)], count: 1000))
            #expect(replies.count == 1000)
            #expect(replies == (1...1000).map { RESPValue.integer($0) })
            #expect(try await client.send("GET", RedisArgument(key)).int == 1000)
            try await client.send("DEL", RedisArgument(key))
        }
    }

    @Test func pipelineReturnsErrorRepliesInPlace() async throws {
        let key = self.uniquePrefix() + "mixed"
        try await self.withClient { (client) async throws in
            let replies = try await client.pipeline([["SET", RedisArgument(key), "a"], ["INCR", RedisArgument(key)], ["GET", RedisArgument(key)]])
            #expect(replies.count == 3)
            #expect(replies.first == .simpleString("OK"))
            #expect(replies.dropFirst().first?.errorMessage?.hasPrefix("ERR") == true)
            #expect(replies.last?.string == "a")
            try await client.send("DEL", RedisArgument(key))
        }
    }

    @Test func manyConcurrentCallers() async throws {
        let prefix = self.uniquePrefix()
        let counter = prefix + "counter"
        try await self.withClient { (client) async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let key = RedisArgument(prefix + "item:\(index)")
                        try await client.send("SET", key, RedisArgument("value-\(index)"), "EX", 60)
                        try await client.send("INCR", RedisArgument(counter))
                        let value = try await client.send("GET", key)
                        #expect(value.string == "value-\(index)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await client.send("GET", RedisArgument(counter)).int == 200)
            // All traffic went over at most poolSize connections.
            let ids = try await self.connectionIDs(of: client, calls: 100)
            #expect(ids.count <= client.configuration.poolSize)
            try await client.send("DEL", RedisArgument(counter))
        }
    }

    @Test func commandTimeoutFailsTheCallerAndTheClientRecovers() async throws {
        let key = self.uniquePrefix() + "empty-list"
        try await self.withClient(Overrides(poolSize: 1, commandTimeout: .milliseconds(200))) { (client) async throws in
            async let behind: Void = {
                // Queued behind BLPOP on the only connection: it fails when that connection is closed.
                try await Task.sleep(for: .milliseconds(50))
                await #expect(throws: RedisClientError.self) { try await client.ping() }
            }()
            // BLPOP would answer nil after 5 s: a throw means the 200 ms command timeout ended it.
            await #expect(throws: RedisClientError.timeout) { try await client.send("BLPOP", RedisArgument(key), 5) }
            try await behind
            // The broken connection was dropped; the next calls use a new one.
            try await client.ping()
            #expect(try await client.send("SET", RedisArgument(key + ":after"), "ok", "EX", 60) == .simpleString("OK"))
            try await client.send("DEL", RedisArgument(key + ":after"))
        }
    }

    @Test func reconnectsAfterTheServerKillsItsConnections() async throws {
        let key = self.uniquePrefix() + "after-kill"
        try await self.withClient(Overrides(poolSize: 2)) { (client) async throws in
            try await self.withClient { (killer) async throws in
                let ids = try await self.connectionIDs(of: client, calls: 50)
                #expect(!ids.isEmpty)
                for id in ids {
                    #expect(try await killer.send("CLIENT", "KILL", "ID", RedisArgument(id)) == .integer(1))
                }
            }
            var failures = 0
            for attempt in 0..<5 {
                do {
                    #expect(try await client.send("INCR", RedisArgument(key)).int != nil, "attempt \(attempt)")
                } catch {
                    failures += 1
                }
            }
            #expect(failures <= 1)
            // Concurrent callers work again too.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.ping() }
                }
                try await group.waitForAll()
            }
            try await client.send("DEL", RedisArgument(key))
        }
    }

    @Test func selectsTheDatabaseFromTheURL() async throws {
        let key = self.uniquePrefix() + "db"
        try await self.withClient(Overrides(database: 3)) { (client) async throws in
            try await client.send("SET", RedisArgument(key), "in-3", "EX", 60)
            let info = try await client.send("CLIENT", "INFO").string ?? ""
            #expect(info.contains(" db=3 "))
        }
        try await self.withClient(Overrides(database: 0)) { (client) async throws in
            #expect(try await client.send("GET", RedisArgument(key)).isNull)
        }
    }

    @Test func wrongPasswordFailsWithoutRevealingIt() async throws {
        let error = try await self.withClient(Overrides(password: "hunter2-secret")) { (client) async throws in
            await #expect(throws: RedisClientError.self) { try await client.ping() }
        }
        guard case .connectionFailed(let message) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("AUTH"))
        #expect(!message.contains("hunter2-secret"))
    }

    @Test func unreachableServerFailsFast() async throws {
        try await self.withClient(Overrides(host: "127.0.0.1", port: 1, clearPassword: true)) { (client) async throws in
            let error = await #expect(throws: RedisClientError.self) { try await client.ping() }
            guard case .connectionFailed = error else {
                Issue.record("expected connectionFailed, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func refusesCommandsAfterShutdown() async throws {
        let client = RedisClient(configuration: try self.testConfiguration(), logger: Logger(label: "redis-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.ping()
            group.cancelAll()
            try await group.waitForAll()
        }
        await #expect(throws: RedisClientError.shutDown) { try await client.ping() }
    }

    /// The server-side ids of the connections `client` uses, found by sending `CLIENT ID` from concurrent callers.
    private func connectionIDs(of client: RedisClient, calls: Int) async throws -> Set<Int> {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<calls {
                group.addTask { try await client.send("CLIENT", "ID").int }
            }
            var ids = Set<Int>()
            for try await id in group {
                if let id { ids.insert(id) }
            }
            return ids
        }
    }
}

extension RedisClientTests {
    /// `RedisConfiguration(url:)`; needs no server.
    struct URLParsing {
        @Test func parsesHostPortPasswordAndDatabase() throws {
            let plain = try RedisConfiguration(url: "redis://localhost")
            #expect(plain.host == "localhost" && plain.port == 6379 && plain.database == 0)
            #expect(plain.password == nil && plain.username == nil && plain.poolSize == 4)
            #expect(plain.connectTimeout == .seconds(2) && plain.commandTimeout == .seconds(2))

            let full = try RedisConfiguration(url: "redis://:s3cret@10.0.0.5:6380/2")
            #expect(full.host == "10.0.0.5" && full.port == 6380 && full.database == 2)
            #expect(full.password == "s3cret" && full.username == nil)

            let acl = try RedisConfiguration(url: "REDIS://app:p%40ss%3Aword@cache.internal:7000/")
            #expect(acl.username == "app" && acl.password == "p@ss:word" && acl.host == "cache.internal" && acl.port == 7000)

            let ipv6 = try RedisConfiguration(url: "redis://[::1]:6390/15")
            #expect(ipv6.host == "::1" && ipv6.port == 6390 && ipv6.database == 15)
        }

        @Test(arguments: [
            "localhost:6379",
            "http://localhost:6379",
            "redis://",
            "redis://:6379",
            "redis://host:0",
            "redis://host:65536",
            "redis://host:port",
            "redis://host/db",
            "redis://host/-1",
            "redis://host?timeout=1",
            "redis://[::1",
        ])
        func rejectsBadURLs(_ url: String) {
            let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
            guard case .invalidURL(let reason) = error else {
                Issue.record("expected invalidURL, got \(String(describing: error))")
                return
            }
            #expect(!reason.isEmpty)
        }

        @Test(arguments: [
            "redis://:topsecret@host:notaport",
            "redis://:topsecret@host/notadb",
            "redis://:top%zzsecret@host",
            "redis://:topsecret@",
            "redis://user:topsecret@host:99999/1",
            "redis://topsecret/x@host",
            "https://:topsecret@host",
            "redis://:topsecret@host?x=topsecret",
        ])
        func errorTextNeverContainsThePassword(_ url: String) {
            let error = #expect(throws: RedisClientError.self) { try RedisConfiguration(url: url) }
            let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
            #expect(!text.isEmpty)
            #expect(!text.contains("secret"), "\(text)")
        }

        @Test func descriptionHidesThePassword() throws {
            let configuration = try RedisConfiguration(url: "redis://app:topsecret@host:6379/1")
            #expect(!configuration.description.contains("topsecret"))
            #expect(configuration.description.contains("app:***@host:6379/1"))
        }
    }
}
