import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import Tracing

/// A pooled Redis client: up to ``RedisConfiguration/poolSize`` pipelined connections, opened when needed.
///
/// Add it to the application's `ServiceGroup`: ``run()`` keeps the pool until graceful shutdown or cancellation,
/// then closes every connection. Commands may be sent as soon as the client exists (also before `run()` starts);
/// after `run()` has returned every call throws ``RedisClientError/shutDown``.
///
/// Each command goes to the least busy open connection, and a new connection is opened only when all open
/// ones are busy. A connection that breaks (server restart, `CLIENT KILL`, timeout, protocol error) is dropped
/// and a new one is opened on a later call, so the client recovers by itself when the server comes back.
/// Commands in flight on a connection that breaks fail with ``RedisClientError/connectionClosed``; they are not
/// retried, since they may have run.
///
/// Blocking commands (`BLPOP`, `XREADGROUP ... BLOCK`) hold their connection and delay every command pipelined
/// behind them: give them a client of their own whose ``RedisConfiguration/commandTimeout`` exceeds the block time.
public final class RedisClient: Service, Sendable {
    /// The settings the client was created with.
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let pool: Mutex<RedisPoolState>
    /// Made once from ``RedisConfiguration/tls`` (it holds the parsed trust roots); a failure is reported by every connect.
    private let tlsContext: Result<NIOSSLContext, any Error>?

    /// Creates a client; no connection is opened until the first command.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.pool = Mutex(RedisPoolState(size: max(1, configuration.poolSize)))
        self.tlsContext = configuration.tls.map { tls in Result { try NIOSSLContext(configuration: tls.tlsConfiguration) } }
    }

    /// Keeps the pool open until graceful shutdown or task cancellation, then closes all connections.
    /// Commands still in flight at that point fail with ``RedisClientError/connectionClosed``.
    public func run() async throws {
        // Outside a ServiceGroup this waits for cancellation; either way the outcome is the same: shut down.
        try? await gracefulShutdown()
        let (connections, pending) = self.pool.withLock { $0.shutDown() }
        self.logger.debug("redis client shutting down", metadata: ["redis.connections": "\(connections.count)"])
        for connection in connections {
            await connection.close()
        }
        // A connection still being opened closes itself when it finds the pool shut down; wait for that.
        for task in pending {
            _ = try? await task.value
        }
    }

    /// Sends one command, e.g. `send("SET", "key", "value")`.
    /// - Returns: The reply. An error reply is thrown as ``RedisClientError/server(_:)`` instead.
    @discardableResult
    public func send(_ command: String, _ arguments: RedisArgument...) async throws -> RESPValue {
        try await self.send([RedisArgument(command)] + arguments)
    }

    /// Sends one command given as its name followed by its arguments.
    /// - Returns: The reply. An error reply is thrown as ``RedisClientError/server(_:)`` instead.
    @discardableResult
    public func send(_ command: [RedisArgument]) async throws -> RESPValue {
        guard !command.isEmpty else {
            throw RedisClientError.protocolError("a command needs at least a name")
        }
        let reply = try await TracePropagation.withChildSpan(command[0].spanName, ofKind: .client, attributes: Self.spanAttributes) {
            try await self.withConnection { try await $0.send(command) }
        }
        if case .error(let message) = reply {
            throw RedisClientError.server(message)
        }
        return reply
    }

    /// Sends many commands on one connection with a single flush and returns their replies in order.
    /// Error replies are returned in place (as ``RESPValue/error(_:)``), not thrown.
    /// The whole batch must be answered within the command timeout.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        guard commands.allSatisfy({ !$0.isEmpty }) else {
            throw RedisClientError.protocolError("a command needs at least a name")
        }
        return try await TracePropagation.withChildSpan("redis pipeline", ofKind: .client, attributes: Self.spanAttributes) {
            try await self.withConnection { try await $0.pipeline(commands) }
        }
    }

    private static func spanAttributes(_ attributes: inout SpanAttributes) {
        attributes["db.system.name"] = "redis"
    }

    /// Checks that the server answers `PING` with `PONG`.
    public func ping() async throws {
        let reply = try await self.send("PING")
        guard reply.string == "PONG" else {
            throw RedisClientError.protocolError("unexpected reply to PING: \(reply)")
        }
    }

    // MARK: - Pool

    private func withConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        let (slot, connection) = try await self.lease()
        defer { self.pool.withLock { $0.release(slot: slot) } }
        return try await body(connection)
    }

    private func lease() async throws -> (slot: Int, connection: RedisConnection) {
        let lease = try self.pool.withLock { state in
            try state.lease { slot, id in self.makeConnectTask(slot: slot, id: id) }
        }
        switch lease {
        case .ready(let slot, let connection):
            return (slot, connection)
        case .connecting(let slot, let task):
            do {
                return (slot, try await task.value)
            } catch {
                self.pool.withLock { $0.release(slot: slot) }
                throw error
            }
        }
    }

    /// Opens the connection for `slot` in a task of its own, so that it completes (and updates the pool) even
    /// if the callers waiting for it are cancelled.
    private func makeConnectTask(slot: Int, id: Int) -> Task<RedisConnection, any Error> {
        Task {
            let connection: RedisConnection
            do {
                let tlsContext: NIOSSLContext?
                do {
                    tlsContext = try self.tlsContext?.get()
                } catch {
                    throw RedisClientError.connectionFailed("\(self.configuration.host):\(self.configuration.port): TLS set-up failed: \(error)")
                }
                connection = try await RedisConnection.connect(
                    id: id,
                    configuration: self.configuration,
                    tlsContext: tlsContext,
                    eventLoopGroup: self.eventLoopGroup,
                    logger: self.logger
                )
            } catch {
                self.logger.debug("redis connect failed", metadata: ["redis.connection.id": "\(id)", "error": "\(error)"])
                self.pool.withLock { $0.connectFailed(slot: slot, id: id) }
                throw error
            }
            guard self.pool.withLock({ $0.connected(slot: slot, connection: connection) }) else {
                await connection.close()
                throw RedisClientError.shutDown
            }
            connection.closeFuture.whenComplete { [logger] _ in
                logger.debug("redis connection closed", metadata: ["redis.connection.id": "\(id)"])
                self.pool.withLock { $0.closed(slot: slot, connection: connection) }
            }
            return connection
        }
    }
}
