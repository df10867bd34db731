import NIOCore

/// An incremental RESP2 reply parser.
///
/// It consumes bytes as soon as they form a complete scalar (simple string, error, integer, bulk string) and
/// keeps arrays under construction on an explicit stack, so a large reply arriving over many reads is parsed
/// once (no re-scan from the start) and deep nesting cannot overflow the call stack.
/// Malformed input throws ``RedisClientError/protocolError(_:)``; after that the parser must be discarded.
struct RESPParser {
    /// Largest bulk string and array length accepted (Redis's own limit for a string is 512 MiB).
    static let maxLength = 512 * 1024 * 1024
    /// Longest header or simple-string/error line accepted, CRLF excluded.
    static let maxLineLength = 1024 * 1024
    /// Deepest array nesting accepted.
    static let maxDepth = 512

    private struct PartialArray {
        var elements: [RESPValue]
        var remaining: Int
    }

    private enum Item {
        case value(RESPValue)
        case arrayStart(count: Int)
    }

    private var stack: [PartialArray] = []

    /// Returns the next complete top-level reply, or `nil` if more bytes are needed.
    mutating func next(from buffer: inout ByteBuffer) throws -> RESPValue? {
        while let item = try Self.readItem(from: &buffer) {
            switch item {
            case .arrayStart(let count):
                guard self.stack.count < Self.maxDepth else {
                    throw RedisClientError.protocolError("arrays nested deeper than \(Self.maxDepth)")
                }
                self.stack.append(PartialArray(elements: [], remaining: count))
                self.stack[self.stack.count - 1].elements.reserveCapacity(min(count, 1024))
            case .value(let value):
                if let complete = self.fold(value) {
                    return complete
                }
            }
        }
        return nil
    }

    /// Adds a finished value to the innermost open array, closing arrays that become full.
    /// Returns the value once it is a complete top-level reply.
    private mutating func fold(_ value: RESPValue) -> RESPValue? {
        var value = value
        while !self.stack.isEmpty {
            let top = self.stack.count - 1
            self.stack[top].elements.append(value)
            self.stack[top].remaining -= 1
            guard self.stack[top].remaining == 0 else { return nil }
            value = .array(self.stack.removeLast().elements)
        }
        return value
    }

    /// Reads one scalar or one array header; `nil` (nothing consumed) if the buffer does not hold all of it yet.
    private static func readItem(from buffer: inout ByteBuffer) throws -> Item? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let lineEnd = try self.findLineEnd(in: buffer)
        else { return nil }
        // Header line: bytes 1..<lineEnd (relative to readerIndex); CRLF at lineEnd, lineEnd + 1.
        let contentLength = lineEnd - 1
        let headerLength = lineEnd + 2
        guard let line = buffer.getSlice(at: buffer.readerIndex + 1, length: contentLength) else { return nil }

        switch type {
        case UInt8(ascii: "+"):
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.simpleString(String(buffer: line)))
        case UInt8(ascii: "-"):
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.error(String(buffer: line)))
        case UInt8(ascii: ":"):
            let value = try self.parseInteger(line)
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.integer(value))
        case UInt8(ascii: "$"):
            return try self.readBulkString(from: &buffer, length: self.parseLength(line, kind: "bulk string"), headerLength: headerLength)
        case UInt8(ascii: "*"):
            let count = try self.parseLength(line, kind: "array")
            buffer.moveReaderIndex(forwardBy: headerLength)
            switch count {
            case nil: return .value(.array(nil))
            case 0: return .value(.array([]))
            case let count?: return .arrayStart(count: count)
            }
        default:
            throw RedisClientError.protocolError("unexpected reply type byte 0x\(String(type, radix: 16))")
        }
    }

    private static func readBulkString(from buffer: inout ByteBuffer, length: Int?, headerLength: Int) throws -> Item? {
        guard let length else {
            buffer.moveReaderIndex(forwardBy: headerLength)
            return .value(.bulkString(nil))
        }
        guard buffer.readableBytes >= headerLength + length + 2 else { return nil }
        let start = buffer.readerIndex + headerLength
        guard let payload = buffer.getSlice(at: start, length: length),
            buffer.getInteger(at: start + length, as: UInt16.self) == crlf
        else {
            throw RedisClientError.protocolError("bulk string not terminated by CRLF")
        }
        buffer.moveReaderIndex(forwardBy: headerLength + length + 2)
        return .value(.bulkString(payload))
    }

    private static let crlf = UInt16(UInt8(ascii: "\r")) << 8 | UInt16(UInt8(ascii: "\n"))

    /// Offset (from readerIndex) of the `\r` of the first line's CRLF, or `nil` if no full line has arrived.
    private static func findLineEnd(in buffer: ByteBuffer) throws -> Int? {
        let newline: Int? = buffer.withUnsafeReadableBytes { bytes in
            bytes.indices.dropFirst().first { bytes[$0] == UInt8(ascii: "\n") }
        }
        guard let newline else {
            if buffer.readableBytes > self.maxLineLength + 2 {
                throw RedisClientError.protocolError("reply line longer than \(self.maxLineLength) bytes")
            }
            return nil
        }
        guard newline >= 2, buffer.getInteger(at: buffer.readerIndex + newline - 1, as: UInt8.self) == UInt8(ascii: "\r") else {
            throw RedisClientError.protocolError("reply line not terminated by CRLF")
        }
        guard newline - 2 <= self.maxLineLength else {
            throw RedisClientError.protocolError("reply line longer than \(self.maxLineLength) bytes")
        }
        return newline - 1
    }

    /// A length header: `-1` means null (`nil`); other negatives and lengths above ``maxLength`` are rejected.
    private static func parseLength(_ line: ByteBuffer, kind: String) throws -> Int? {
        let length = try self.parseInteger(line)
        if length == -1 { return nil }
        guard length >= 0 else { throw RedisClientError.protocolError("negative \(kind) length \(length)") }
        guard length <= self.maxLength else {
            throw RedisClientError.protocolError("\(kind) length \(length) exceeds \(self.maxLength)")
        }
        return length
    }

    /// A strict decimal integer: an optional `-` then 1 to 19 digits, without overflow.
    private static func parseInteger(_ line: ByteBuffer) throws -> Int {
        let bytes = line.readableBytesView
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.count <= 19 else {
            throw RedisClientError.protocolError("invalid integer '\(String(buffer: line).prefix(32))'")
        }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw RedisClientError.protocolError("invalid integer '\(String(buffer: line).prefix(32))'")
            }
            let digit = Int(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else {
                throw RedisClientError.protocolError("integer out of range '\(String(buffer: line).prefix(32))'")
            }
            value = next
        }
        return value
    }
}

/// A channel handler that turns the bytes from a Redis server into ``RESPValue`` replies.
///
/// Copes with replies split across reads and with several replies in one read; malformed input
/// fires ``RedisClientError/protocolError(_:)`` down the pipeline.
struct RESPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    private var parser = RESPParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let reply = try self.parser.next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(reply))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }
}

/// Encodes commands the way Redis expects them: an array of binary-safe bulk strings
/// (`*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`).
struct RESPCommandEncoder: MessageToByteEncoder {
    typealias OutboundIn = [RedisArgument]

    func encode(data: [RedisArgument], out: inout ByteBuffer) {
        Self.encode(data, into: &out)
    }

    /// Appends one command to `buffer`.
    static func encode(_ command: [RedisArgument], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(command.count))
        buffer.writeStaticString("\r\n")
        for argument in command {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.bytes.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeImmutableBuffer(argument.bytes)
            buffer.writeStaticString("\r\n")
        }
    }
}
