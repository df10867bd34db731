import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on 127.0.0.1 (a free port) that records each request's head and answers
/// every request with `status` and `headers`; for tests of where webhook requests go.
final class LocalReceiver: Sendable {
    let port: Int
    private let channel: any Channel
    private let received: NIOLockedValueBox<[HTTPRequestHead]>

    init(status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) async throws {
        let received = NIOLockedValueBox<[HTTPRequestHead]>([])
        let answer = Answer(status: status, headers: headers)
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Recorder(received: received, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.port = self.channel.localAddress?.port ?? 0
        self.received = received
    }

    /// The heads of the requests received so far.
    var requests: [HTTPRequestHead] { self.received.withLockedValue { $0 } }

    func stop() async throws {
        try await self.channel.close()
    }

    private struct Answer: Sendable {
        var status: HTTPResponseStatus
        var headers: [(String, String)]
    }

    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let received: NIOLockedValueBox<[HTTPRequestHead]>
        let answer: Answer

        init(received: NIOLockedValueBox<[HTTPRequestHead]>, answer: Answer) {
            self.received = received
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.received.withLockedValue { $0.append(head) }
            case .body:
                break
            case .end:
                var headers = HTTPHeaders(self.answer.headers)
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPResponseHead(version: .http1_1, status: self.answer.status, headers: headers)
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
