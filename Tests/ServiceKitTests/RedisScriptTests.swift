import Foundation
import ServiceKit
import Testing

/// ``RedisScript`` and ``RedisClient/evaluate(_:keys:arguments:)`` against the server at `REDIS_TEST_URL`.
struct RedisScriptTests {
    /// A script no server has seen: a random comment makes its digest new.
    private func freshScript(_ body: String) -> RedisScript {
        RedisScript("-- \(UUID().uuidString)\n" + body)
    }

    @Test func theDigestIsTheOneRedisComputes() async throws {
        let script = self.freshScript("return 1")
        try await RedisTestServer.withClient { (redis) async throws in
            #expect(try await redis.send("SCRIPT", "LOAD", RedisArgument(script.source)).string == script.sha1)
        }
    }

    @Test func anUnknownScriptIsSentWholeOnceAndByDigestAfterwards() async throws {
        let script = self.freshScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        let key = RedisTestServer.uniqueName("test:script")
        try await RedisTestServer.withClient { (redis) async throws in
            let exists = { try await redis.send("SCRIPT", "EXISTS", RedisArgument(script.sha1)).array?.first?.int }
            #expect(try await exists() == 0)
            #expect(try await redis.evaluate(script, keys: [RedisArgument(key)], arguments: [2]) == .integer(2))
            #expect(try await exists() == 1, "the EVAL fallback left the script cached")
            #expect(try await redis.evaluate(script, keys: [RedisArgument(key)], arguments: [3]) == .integer(5))
            try await redis.send("DEL", RedisArgument(key))
        }
    }

    @Test func anErrorInTheScriptIsThrown() async throws {
        let script = self.freshScript("return redis.error_reply('ERR refused by the script')")
        try await RedisTestServer.withClient { (redis) async throws in
            let error = await #expect(throws: RedisClientError.self) { try await redis.evaluate(script, keys: []) }
            #expect(error == .server("ERR refused by the script"))
        }
    }

    @Test func hashedKeysHaveAFixedLengthAndHoldNoInput() {
        let huge = String(repeating: "a", count: 200_000) + "@example.com"
        let key = RedisKey.hashed("auth:login:account", huge)
        #expect(key.utf8.count == "auth:login:account:".utf8.count + 64)
        #expect(!key.contains("example"))
        #expect(RedisKey.hashed("p", "a", "b") != RedisKey.hashed("p", "ab", ""))
        #expect(RedisKey.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
