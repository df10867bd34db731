import NIOCore
import NIOTLS

/// Sits behind `NIOSSLClientHandler` and completes ``handshake`` when the TLS handshake has
/// finished, or fails it with the reason the handshake did not (a certificate that does not
/// verify, a server that does not speak TLS), so that opening a connection reports the cause
/// instead of a later command failing with "connection closed".
final class TLSHandshakeWaiter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Completed once: succeeded by the handshake, failed by the first error or the channel closing.
    let handshake: EventLoopPromise<Void>

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            self.handshake.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.handshake.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.handshake.fail(RedisClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Completing twice is harmless; this only ensures nobody waits forever.
        self.handshake.fail(RedisClientError.connectionClosed)
    }
}
