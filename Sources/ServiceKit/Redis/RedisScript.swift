import Crypto

/// A Lua script run atomically on the server, sent by its SHA-1 digest once Redis has cached it
/// (see ``RedisClient/evaluate(_:keys:arguments:)``).
public struct RedisScript: Sendable, Equatable {
    /// The Lua source.
    public let source: String
    /// The lower-case hex SHA-1 of the source, the name `EVALSHA` knows the script by.
    public let sha1: String

    /// A script; its digest is computed once, here.
    public init(_ source: String) {
        self.source = source
        self.sha1 = RedisKey.hex(Insecure.SHA1.hash(data: Array(source.utf8)))
    }
}

extension RedisClient {
    /// Runs `script` with `EVALSHA`, and with `EVAL` (which also caches it) when the server does
    /// not know the digest yet (`NOSCRIPT`: first use, a restart, `SCRIPT FLUSH`, another replica).
    /// - Returns: The script's reply. An error reply is thrown as ``RedisClientError/server(_:)``.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument] = []) async throws -> RESPValue {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        do {
            return try await self.send([RedisArgument("EVALSHA"), RedisArgument(script.sha1)] + tail)
        } catch RedisClientError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await self.send([RedisArgument("EVAL"), RedisArgument(script.source)] + tail)
        }
    }
}
