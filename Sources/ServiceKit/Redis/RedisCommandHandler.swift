import Logging
import NIOCore

/// A command on its way to the server, with the promise its reply completes.
struct RedisRequest: Sendable {
    var command: [RedisArgument]
    var promise: EventLoopPromise<RESPValue>
    /// When the caller gives up; the connection is then closed, since its replies would be out of sync.
    var deadline: NIODeadline
}

/// Matches replies to commands: Redis answers the commands of one connection in order, so the handler keeps a
/// FIFO queue of promises and completes the oldest with each reply. Any number of commands may be in flight.
///
/// One timer watches the oldest command's deadline. When it passes, that command fails with
/// ``RedisClientError/timeout``, every later one with ``RedisClientError/connectionClosed``, and the channel closes.
/// Every promise that reaches this handler is completed exactly once, whatever happens to the channel.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        let promise: EventLoopPromise<RESPValue>
        let deadline: NIODeadline
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private var timer: Scheduled<Void>?
    /// Set once the connection is unusable; later writes fail at once with ``RedisClientError/connectionClosed``.
    private var isFailed = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = Self.unwrapOutboundIn(data)
        if self.isFailed {
            request.promise.fail(RedisClientError.connectionClosed)
            promise?.fail(RedisClientError.connectionClosed)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 16 + request.command.reduce(0) { $0 + $1.bytes.readableBytes + 16 })
        RESPCommandEncoder.encode(request.command, into: &buffer)
        self.pending.append(Pending(promise: request.promise, deadline: request.deadline))
        self.armTimer(context: context)
        context.write(Self.wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = Self.unwrapInboundIn(data)
        guard let head = self.pending.popFirst() else {
            self.fail(context: context, with: .protocolError("reply received with no command waiting for it"))
            return
        }
        head.promise.succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("redis connection error", metadata: ["error": "\(error)"])
        self.fail(context: context, with: error as? RedisClientError ?? .connectionClosed)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(with: .connectionClosed)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failAll(with: .connectionClosed)
    }

    /// Makes sure a timer runs while commands are pending. It is not cancelled when the queue empties:
    /// it fires once, finds nothing expired, and re-arms only if commands are waiting.
    private func armTimer(context: ChannelHandlerContext) {
        guard self.timer == nil, let head = self.pending.first else { return }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: head.deadline) {
            self.timer = nil
            self.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard !self.isFailed, let head = self.pending.first else { return }
        guard head.deadline <= context.eventLoop.now else {
            self.armTimer(context: context)
            return
        }
        self.logger.debug("redis command timed out; closing the connection")
        let timedOut = self.pending.removeFirst()
        // Close first, so that when the caller resumes the pool already sees the connection
        // inactive and never leases it again.
        self.fail(context: context, with: .connectionClosed)
        timedOut.promise.fail(RedisClientError.timeout)
    }

    /// Fails everything pending and closes the channel: after an error the reply stream cannot be trusted.
    private func fail(context: ChannelHandlerContext, with error: RedisClientError) {
        guard !self.isFailed else { return }
        // Taken out first, so the close below (which fails whatever is left with
        // connectionClosed) leaves them to get this error.
        let waiting = self.pending
        self.pending.removeAll()
        self.isFailed = true
        self.timer?.cancel()
        self.timer = nil
        // Closed before any waiter resumes, so none of them can be handed this connection again.
        context.close(promise: nil)
        for request in waiting { request.promise.fail(error) }
    }

    private func failAll(with error: RedisClientError) {
        self.isFailed = true
        self.timer?.cancel()
        self.timer = nil
        while let next = self.pending.popFirst() {
            next.promise.fail(error)
        }
    }
}
