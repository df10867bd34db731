import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to Redis. Commands may be sent from any number of tasks at once: they are pipelined
/// and their replies matched in order by ``RedisCommandHandler``.
///
/// A connection that times out, receives malformed data or loses its socket closes itself for good;
/// ``RedisClient`` then replaces it.
final class RedisConnection: Sendable {
    /// Distinguishes connections in logs.
    let id: Int
    private let channel: any Channel
    private let commandTimeout: TimeAmount
    private let logger: Logger

    private init(id: Int, channel: any Channel, commandTimeout: TimeAmount, logger: Logger) {
        self.id = id
        self.channel = channel
        self.commandTimeout = commandTimeout
        self.logger = logger
    }

    /// `false` once the connection has closed, for whatever reason.
    var isActive: Bool { self.channel.isActive }

    /// Completes when the connection has closed.
    var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// Opens a connection, completes the TLS handshake when `tlsContext` is given, and runs `AUTH` and `SELECT`
    /// as the configuration asks, all within its connect timeout.
    /// - Throws: ``RedisClientError/connectionFailed(_:)``.
    static func connect(
        id: Int,
        configuration: RedisConfiguration,
        tlsContext: NIOSSLContext? = nil,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) async throws -> RedisConnection {
        var logger = logger
        logger[metadataKey: "redis.connection.id"] = "\(id)"
        let target = "\(configuration.host):\(configuration.port)"
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let handshakeStart = ContinuousClock.now
        guard let bootstrap = ClientBootstrap(validatingGroup: eventLoopGroup) else {
            throw RedisClientError.connectionFailed("\(target): the event loop group cannot make NIOPosix sockets")
        }
        let handlerLogger = logger
        // An IP address is not a valid SNI name: NIOSSL then checks the certificate against the peer's address.
        let serverName = (try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil
        // Completed by the TLS handshake (or its failure); made before the channel, so nothing can finish unseen.
        let handshake = tlsContext.map { _ in eventLoopGroup.any().makePromise(of: Void.self) }
        let channel: any Channel
        do {
            channel =
                try await bootstrap
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext, let handshake {
                            try channel.pipeline.syncOperations.addHandlers(
                                try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName),
                                TLSHandshakeWaiter(handshake: handshake)
                            )
                        }
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(RESPReplyDecoder()),
                            RedisCommandHandler(logger: handlerLogger)
                        )
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch ChannelError.connectTimeout {
            handshake?.fail(RedisClientError.timeout)
            throw RedisClientError.connectionFailed("\(target): timed out after \(configuration.connectTimeout)")
        } catch {
            handshake?.fail(error)
            throw RedisClientError.connectionFailed("\(target): \(error)")
        }
        if let handshake {
            try await Self.awaitHandshake(
                handshake.futureResult,
                channel: channel,
                target: target,
                configuration: configuration,
                start: handshakeStart
            )
        }
        let connection = RedisConnection(id: id, channel: channel, commandTimeout: TimeAmount(configuration.commandTimeout), logger: logger)
        do {
            let remaining = max(configuration.connectTimeout - (ContinuousClock.now - handshakeStart), .zero)
            try await connection.handshake(configuration: configuration, deadline: channel.eventLoop.now + TimeAmount(remaining))
        } catch {
            await connection.close()
            switch error {
            case RedisClientError.timeout:
                throw RedisClientError.connectionFailed("\(target): AUTH/SELECT timed out after \(configuration.connectTimeout)")
            case RedisClientError.connectionClosed:
                throw RedisClientError.connectionFailed("\(target): the server closed the connection during AUTH/SELECT")
            default:
                throw error
            }
        }
        logger.debug("redis connection opened", metadata: ["redis.server": "\(target)"])
        return connection
    }

    /// Waits for the TLS handshake within what is left of the connect timeout; closes the channel when it fails.
    private static func awaitHandshake(
        _ handshake: EventLoopFuture<Void>,
        channel: any Channel,
        target: String,
        configuration: RedisConfiguration,
        start: ContinuousClock.Instant
    ) async throws {
        let remaining = max(configuration.connectTimeout - (ContinuousClock.now - start), .zero)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(remaining)) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await handshake.get()
        } catch {
            channel.close(promise: nil)
            let reason: String
            if let failure = TLSFiles.handshakeFailure(in: error) {
                reason = "\(failure) (is REDIS_TLS_CA_FILE the authority that signed the server's certificate, and does it name the host?)"
            } else if ContinuousClock.now - start >= configuration.connectTimeout {
                reason = "TLS handshake timed out after \(configuration.connectTimeout)"
            } else {
                reason = "the server closed the connection during the TLS handshake (does it speak TLS on this port?)"
            }
            throw RedisClientError.connectionFailed("\(target): \(reason)")
        }
    }

    private func handshake(configuration: RedisConfiguration, deadline: NIODeadline) async throws {
        var commands: [(name: String, command: [RedisArgument])] = []
        if let password = configuration.password {
            let user = configuration.username.map { [RedisArgument($0)] } ?? []
            commands.append(("AUTH", ["AUTH"] + user + [RedisArgument(password)]))
        }
        if configuration.database != 0 {
            commands.append(("SELECT", ["SELECT", RedisArgument(configuration.database)]))
        }
        guard !commands.isEmpty else { return }
        let futures = commands.map { self.write($0.command, deadline: deadline) }
        self.channel.flush()
        for (future, name) in zip(futures, commands.map(\.name)) {
            if case .error(let message) = try await future.get() {
                // The server's text (e.g. "WRONGPASS invalid username-password pair") never echoes the password.
                throw RedisClientError.connectionFailed("\(configuration.host):\(configuration.port): \(name) failed: \(message)")
            }
        }
    }

    /// Queues one command without flushing. The future fails with a ``RedisClientError``.
    private func write(_ command: [RedisArgument], deadline: NIODeadline) -> EventLoopFuture<RESPValue> {
        let promise = self.channel.eventLoop.makePromise(of: RESPValue.self)
        // If the handler is already gone (channel closed), the write fails here and never reaches it,
        // so the promise is failed here too; completing a promise twice is harmless.
        self.channel.write(RedisRequest(command: command, promise: promise, deadline: deadline)).whenFailure { _ in
            promise.fail(RedisClientError.connectionClosed)
        }
        return promise.futureResult
    }

    /// Sends one command and waits for its reply (error replies are returned, not thrown).
    func send(_ command: [RedisArgument]) async throws -> RESPValue {
        let future = self.write(command, deadline: self.channel.eventLoop.now + self.commandTimeout)
        self.channel.flush()
        return try await future.get()
    }

    /// Writes all commands, flushes once, and returns their replies in order (error replies in place).
    /// The whole batch must be answered within the command timeout; the first failure is thrown.
    func pipeline(_ commands: [[RedisArgument]]) async throws -> [RESPValue] {
        let deadline = self.channel.eventLoop.now + self.commandTimeout
        let futures = commands.map { self.write($0, deadline: deadline) }
        self.channel.flush()
        var replies: [RESPValue] = []
        replies.reserveCapacity(futures.count)
        for future in futures {
            replies.append(try await future.get())
        }
        return replies
    }

    /// Closes the connection; commands still waiting fail with ``RedisClientError/connectionClosed``.
    func close() async {
        do {
            try await self.channel.close()
        } catch ChannelError.alreadyClosed {
            // Nothing to do.
        } catch {
            self.logger.debug("redis connection close failed", metadata: ["error": "\(error)"])
        }
    }
}
