/// Errors thrown by ``RedisClient`` and ``RedisConfiguration``.
///
/// No case ever carries a password: URLs are redacted before they are put in ``invalidURL(_:)``.
public enum RedisClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Redis URL could not be parsed. The associated text explains why and never includes the password.
    case invalidURL(String)
    /// A connection to the server could not be opened (refused, unresolvable host, connect timeout, handshake failure).
    case connectionFailed(String)
    /// The connection closed before the reply arrived. The command may or may not have run on the server.
    case connectionClosed
    /// No reply arrived within the command timeout. The connection was closed, since its replies are now out of sync.
    case timeout
    /// The server answered with an error reply, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case server(String)
    /// The server sent bytes that are not valid RESP2.
    case protocolError(String)
    /// The client has been shut down (its `run()` has returned); it accepts no more commands.
    case shutDown

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid Redis URL: \(reason)"
        case .connectionFailed(let reason): "could not connect to Redis: \(reason)"
        case .connectionClosed: "the Redis connection closed before the reply arrived"
        case .timeout: "the Redis command timed out"
        case .server(let message): "Redis error: \(message)"
        case .protocolError(let reason): "Redis protocol error: \(reason)"
        case .shutDown: "the Redis client is shut down"
        }
    }
}
