import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import ServiceKit

/// The RESP2 decoder and encoder, without a server: bytes in, values out.
struct RESPCodingTests {
    /// Feeds `chunks` to a fresh decoder channel, one read each, and returns every reply it produced.
    private func decode(_ chunks: [[UInt8]]) throws -> [RESPValue] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPReplyDecoder()))
        var replies: [RESPValue] = []
        for chunk in chunks {
            try channel.writeInbound(ByteBuffer(bytes: chunk))
            while let reply = try channel.readInbound(as: RESPValue.self) {
                replies.append(reply)
            }
        }
        return replies
    }

    private func decode(_ text: String) throws -> [RESPValue] {
        try self.decode([Array(text.utf8)])
    }

    private func bulk(_ text: String) -> RESPValue {
        .bulkString(ByteBuffer(string: text))
    }

    /// Replies of every kind, one after the other, and the values they must decode to.
    private var sampleStream: (bytes: [UInt8], values: [RESPValue]) {
        let text =
            "+OK\r\n-ERR wrong\r\n:0\r\n:-42\r\n:9223372036854775807\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n"
            + "*-1\r\n*0\r\n$4\r\na\r\nb\r\n*3\r\n:1\r\n*2\r\n$1\r\nx\r\n*0\r\n+\r\n"
        let values: [RESPValue] = [
            .simpleString("OK"), .error("ERR wrong"), .integer(0), .integer(-42), .integer(Int.max),
            self.bulk("hello"), self.bulk(""), .bulkString(nil), .array(nil), .array([]), self.bulk("a\r\nb"),
            .array([.integer(1), .array([self.bulk("x"), .array([])]), .simpleString("")]),
        ]
        return (Array(text.utf8), values)
    }

    @Test func decodesEveryKindOfReplyFromOneRead() throws {
        let sample = self.sampleStream
        #expect(try self.decode([sample.bytes]) == sample.values)
    }

    @Test func decodesRepliesSplitIntoSingleBytes() throws {
        let sample = self.sampleStream
        #expect(try self.decode(sample.bytes.map { [$0] }) == sample.values)
    }

    @Test func decodesRepliesSplitAtEveryPoint() throws {
        let sample = self.sampleStream
        for split in 1..<sample.bytes.count {
            let chunks = [Array(sample.bytes[..<split]), Array(sample.bytes[split...])]
            #expect(try self.decode(chunks) == sample.values, "split at \(split)")
        }
    }

    @Test func decodesBinaryBulkString() throws {
        let payload = (0...255).map { UInt8($0) }
        let frame = Array("$256\r\n".utf8) + payload + Array("\r\n".utf8)
        #expect(try self.decode([frame]) == [.bulkString(ByteBuffer(bytes: payload))])
    }

    @Test func largeArrayArrivingInChunksIsComplete() throws {
        let count = 10_000
        var frame = Array("*\(count)\r\n".utf8)
        for index in 0..<count {
            frame += Array("$\(String(index).utf8.count)\r\n\(index)\r\n".utf8)
        }
        let chunks = stride(from: 0, to: frame.count, by: 1000).map { Array(frame[$0..<min($0 + 1000, frame.count)]) }
        let replies = try self.decode(chunks)
        #expect(replies.count == 1)
        #expect(replies.first?.array?.count == count)
        #expect(replies.first?.array?.last?.int == count - 1)
    }

    @Test func waitsForTheRestOfAnIncompleteReply() throws {
        #expect(try self.decode("$10\r\nhello").isEmpty)
        #expect(try self.decode("*2\r\n:1\r\n").isEmpty)
        #expect(try self.decode("+OK\r").isEmpty)
        #expect(try self.decode(":12").isEmpty)
    }

    @Test(arguments: [
        "!oops\r\n",  // unknown type byte
        "%1\r\n",  // RESP3 map: never asked for
        ":12a\r\n",  // not an integer
        ":\r\n",  // empty integer
        ":99999999999999999999\r\n",  // overflow
        "+OK\n",  // LF without CR
        "$3\r\nabcXY",  // bulk string not followed by CRLF
        "$-2\r\n",  // negative length other than -1
        "*-5\r\n",
        "$x\r\n",
        "$536870913\r\n",  // 512 MiB + 1: rejected before any payload arrives
        "*999999999999\r\n",
    ])
    func rejectsMalformedInput(_ input: String) throws {
        let error = #expect(throws: RedisClientError.self) { try self.decode(input) }
        guard case .protocolError = error else {
            Issue.record("expected a protocol error, got \(String(describing: error))")
            return
        }
    }

    @Test func rejectsEndlessLine() throws {
        let line = [UInt8(ascii: "+")] + [UInt8](repeating: UInt8(ascii: "a"), count: RESPParser.maxLineLength + 10)
        #expect(throws: RedisClientError.self) { try self.decode([line]) }
    }

    @Test func rejectsAbsurdNesting() throws {
        let deep = String(repeating: "*1\r\n", count: RESPParser.maxDepth + 1) + ":1\r\n"
        #expect(throws: RedisClientError.self) { try self.decode(deep) }
        let allowed = String(repeating: "*1\r\n", count: 100) + ":1\r\n"
        #expect(try self.decode(allowed).count == 1)
    }

    @Test func parserReportsRepliesOneAtATime() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: ":1\r\n:2\r\n$3\r\nab")
        #expect(try parser.next(from: &buffer) == .integer(1))
        #expect(try parser.next(from: &buffer) == .integer(2))
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("c\r\n")
        #expect(try parser.next(from: &buffer) == self.bulk("abc"))
        #expect(buffer.readableBytes == 0)
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(RESPCommandEncoder()))
        let command: [RedisArgument] = ["SET", "key", RedisArgument([0, 13, 10, 255]), 42, RedisArgument(ByteBuffer(string: ""))]
        try channel.writeOutbound(command)
        let encoded = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let expected =
            Array("*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$4\r\n".utf8) + [0, 13, 10, 255]
            + Array("\r\n$2\r\n42\r\n$0\r\n\r\n".utf8)
        #expect(Array(encoded.readableBytesView) == expected)
    }

    @Test func encodedCommandDecodesBackToItsArguments() throws {
        let command: [RedisArgument] = ["HSET", "h", "field", RedisArgument((0...255).map { UInt8($0) }), -7]
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(command, into: &buffer)
        var parser = RESPParser()
        let decoded = try parser.next(from: &buffer)
        #expect(decoded == .array(command.map { .bulkString($0.bytes) }))
    }

    @Test func accessorsReadTheCommonShapes() {
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(self.bulk("12").int == 12)
        #expect(RESPValue.integer(3).int == 3)
        #expect(RESPValue.integer(3).string == nil)
        #expect(RESPValue.bulkString(nil).isNull)
        #expect(RESPValue.array(nil).array == nil)
        #expect(RESPValue.array([.integer(1)]).array == [.integer(1)])
        #expect(RESPValue.error("ERR x").errorMessage == "ERR x")
        #expect(self.bulk("ab").bytes == [97, 98])
    }
}

extension RESPCodingTests {
    /// The handler that matches replies to commands, driven by hand on an embedded event loop.
    struct CommandHandler {
        private func makeChannel() throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(RESPReplyDecoder()),
                RedisCommandHandler(logger: Logger(label: "test"))
            )
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
            return channel
        }

        private func request(
            _ channel: EmbeddedChannel,
            _ command: [RedisArgument],
            timeout: TimeAmount = .seconds(1)
        )
            -> EventLoopFuture<RESPValue>
        {
            let promise = channel.eventLoop.makePromise(of: RESPValue.self)
            // As RedisConnection does: a write that never reaches the handler (channel closed) fails the promise.
            channel.write(RedisRequest(command: command, promise: promise, deadline: channel.eventLoop.now + timeout)).whenFailure {
                promise.fail($0)
            }
            return promise.futureResult
        }

        @Test func pipelinedRepliesCompleteCommandsInOrder() throws {
            let channel = try self.makeChannel()
            let first = self.request(channel, ["GET", "a"])
            let second = self.request(channel, ["INCR", "b"])
            channel.flush()
            let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(String(buffer: written) == "*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
            try channel.writeInbound(ByteBuffer(string: "$1\r\nx\r\n:7\r"))
            #expect(try first.wait() == .bulkString(ByteBuffer(string: "x")))
            try channel.writeInbound(ByteBuffer(string: "\n"))
            #expect(try second.wait() == .integer(7))
            _ = try channel.finish()
        }

        @Test func timeoutFailsTheOldestCommandAndClosesTheConnection() throws {
            let channel = try self.makeChannel()
            let blocked = self.request(channel, ["BLPOP", "q", "0"])
            let behind = self.request(channel, ["PING"], timeout: .seconds(5))
            channel.flush()
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
            #expect(channel.isActive)
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
            #expect(throws: RedisClientError.timeout) { try blocked.wait() }
            #expect(throws: RedisClientError.connectionClosed) { try behind.wait() }
            #expect(!channel.isActive)
        }

        @Test func unsolicitedReplyClosesTheConnection() throws {
            let channel = try self.makeChannel()
            try channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
            #expect(!channel.isActive)
        }

        @Test func malformedReplyFailsPendingCommands() throws {
            let channel = try self.makeChannel()
            let pending = self.request(channel, ["GET", "a"])
            channel.flush()
            try channel.writeInbound(ByteBuffer(string: "?\r\n"))
            #expect(throws: RedisClientError.protocolError("unexpected reply type byte 0x3f")) { try pending.wait() }
            #expect(!channel.isActive)
        }

        @Test func closingFailsPendingCommandsAndLaterWrites() throws {
            let channel = try self.makeChannel()
            let pending = self.request(channel, ["GET", "a"])
            channel.flush()
            try channel.close().wait()
            #expect(throws: RedisClientError.connectionClosed) { try pending.wait() }
            let late = self.request(channel, ["GET", "b"])
            #expect(throws: (any Error).self) { try late.wait() }
        }
    }
}
