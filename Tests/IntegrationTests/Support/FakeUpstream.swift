import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One request as the fake upstream read it off the wire.
struct ReceivedRequest: Sendable {
    /// Every byte of the request (head and body, still chunked if it was sent chunked).
    let raw: Data
    /// `METHOD target HTTP/1.1`.
    let requestLine: String
    /// The header fields in the order received.
    let headers: [(name: String, value: String)]
    /// The body, de-chunked.
    let body: Data

    /// Every value of a header (case-insensitive name), one entry per field line.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Whether a header field of that name was received at all.
    func has(_ name: String) -> Bool {
        !values(name).isEmpty
    }

    /// The head as text, for failure messages.
    var headText: String {
        let separator = Data("\r\n\r\n".utf8)
        let end = raw.range(of: separator)?.lowerBound ?? raw.endIndex
        return String(decoding: raw[raw.startIndex..<end], as: UTF8.self)
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 inside the test process, standing in for a service.
///
/// Plain sockets on background threads, every wait bounded by a 100 ms poll: `stop()` (or the
/// lifetime running out) ends them all, closing every socket.
///
/// - `silent`: accepts and reads requests but never answers.
/// - `echo`: reads one whole request (head, then the body by `Content-Length` or chunked),
///   records it, answers `200` with ``echoBody`` and a few headers, hop-by-hop ones among them,
///   then closes the connection.
final class FakeUpstream: Sendable {
    enum Mode: Sendable {
        case silent
        case echo
    }

    /// The JSON body of every echo answer.
    static let echoBody = #"{"echo":true,"from":"fake-upstream"}"#
    /// The largest request the fake reads (anything bigger is recorded as an error).
    static let maxRequestBytes = 4 * 1024 * 1024
    /// How many connections it accepts in its life; more are closed at once.
    static let maxConnections = 32

    let mode: Mode
    let port: Int
    private let listener: Int32
    private let deadline: ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var stopping = false
        var runningThreads = 0
        var connections = 0
        var requests: [ReceivedRequest] = []
        var errors: [String] = []
    }

    /// Binds 127.0.0.1:<free port> and starts accepting; the server stops itself after `lifetime`.
    init(mode: Mode, lifetime: Duration = .seconds(120)) throws {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("fake upstream: socket() failed: errno \(errno)") }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = Ports.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let code = errno
            close(descriptor)
            throw HarnessError("fake upstream: bind/listen on 127.0.0.1:0 failed: errno \(code)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else {
            let code = errno
            close(descriptor)
            throw HarnessError("fake upstream: getsockname failed: errno \(code)")
        }

        self.mode = mode
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = descriptor
        self.deadline = ContinuousClock.now.advanced(by: lifetime)
        self.state = Mutex(State(runningThreads: 1))
        // The accept thread owns the listening socket and closes it when it ends.
        let thread = Thread { [self] in
            self.acceptLoop()
            self.threadEnded()
        }
        thread.name = "fake-upstream-\(port)"
        thread.start()
    }

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests read completely so far, in arrival order.
    var requests: [ReceivedRequest] { state.withLock { $0.requests } }

    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }

    /// What went wrong while reading requests (malformed or oversized ones).
    var errors: [String] { state.withLock { $0.errors } }

    /// Waits (bounded) until at least `count` requests have been read; the requests read by then.
    func waitForRequests(_ count: Int = 1, timeout: Duration = .seconds(5)) async -> [ReceivedRequest] {
        let until = ContinuousClock.now.advanced(by: timeout)
        while true {
            let current = requests
            if current.count >= count || ContinuousClock.now >= until { return current }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops accepting, closes every connection and waits (at most 3 s) for the threads to end.
    func stop() async {
        state.withLock { $0.stopping = true }
        let until = ContinuousClock.now.advanced(by: .seconds(3))
        while state.withLock({ $0.runningThreads > 0 }), ContinuousClock.now < until {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: Threads

    private var shouldStop: Bool {
        state.withLock { $0.stopping } || ContinuousClock.now >= deadline
    }

    private func threadEnded() {
        state.withLock { $0.runningThreads -= 1 }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !shouldStop {
            guard Self.waitReadable(listener) else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let admitted = state.withLock { state -> Bool in
                guard state.connections < Self.maxConnections, !state.stopping else { return false }
                state.connections += 1
                state.runningThreads += 1
                return true
            }
            guard admitted else {
                close(connection)
                continue
            }
            Self.disableSigpipe(connection)
            let thread = Thread { [self] in
                self.serve(connection)
                self.threadEnded()
            }
            thread.name = "fake-upstream-\(port)-connection"
            thread.start()
        }
    }

    /// Reads one request; answers it in echo mode, then closes. In silent mode keeps reading
    /// (and never answers) until the peer closes or the fake stops.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var received = Data()
        var recorded = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !shouldStop {
            guard Self.waitReadable(connection) else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            received.append(contentsOf: chunk[0..<count])
            if recorded { continue }
            if received.count > Self.maxRequestBytes {
                record(error: "request over \(Self.maxRequestBytes) bytes")
                return
            }
            switch Self.parseRequest(received) {
            case .incomplete:
                continue
            case .malformed(let reason):
                record(error: "\(reason); received: \(String(decoding: received.prefix(300), as: UTF8.self))")
                if mode == .echo {
                    Self.sendAll(connection, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                }
                return
            case .complete(let request):
                recorded = true
                state.withLock { $0.requests.append(request) }
                if mode == .echo {
                    Self.sendAll(connection, Self.echoResponse(receivedBytes: request.body.count))
                    return
                }
            }
        }
    }

    private func record(error: String) {
        state.withLock { $0.errors.append(error) }
    }

    static func echoResponse(receivedBytes: Int) -> [UInt8] {
        let body = Array(echoBody.utf8)
        let head =
            "HTTP/1.1 200 OK\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n"
            + "Connection: close, X-Secret-Hop\r\n"
            + "Keep-Alive: timeout=5\r\n"
            + "X-Secret-Hop: 1\r\n"
            + "X-Upstream: yes\r\n"
            + "X-Received-Bytes: \(receivedBytes)\r\n"
            + "\r\n"
        return Array(head.utf8) + body
    }

    // MARK: Parsing

    enum ParseOutcome {
        case incomplete
        case malformed(String)
        case complete(ReceivedRequest)
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let headTerminator: [UInt8] = [13, 10, 13, 10]

    /// One complete request from the start of `data`, or why not.
    static func parseRequest(_ data: Data) -> ParseOutcome {
        let bytes = [UInt8](data)
        guard let headEnd = find(headTerminator, in: bytes, from: 0) else { return .incomplete }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst()
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("header line without a colon: \(line)") }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((name: name, value: value))
        }
        let bodyStart = headEnd + headTerminator.count
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
        }
        let transferEncoding = values("Transfer-Encoding").joined(separator: ",").lowercased()
        let lengths = Set(values("Content-Length"))

        let body: [UInt8]
        let end: Int
        if transferEncoding.contains("chunked") {
            switch dechunk(bytes, from: bodyStart) {
            case .incomplete: return .incomplete
            case .malformed(let reason): return .malformed(reason)
            case .complete(let decoded, let decodedEnd):
                body = decoded
                end = decodedEnd
            }
        } else if let declared = lengths.first {
            guard lengths.count == 1, let length = Int(declared), length >= 0 else {
                return .malformed("bad Content-Length: \(values("Content-Length"))")
            }
            guard bytes.count - bodyStart >= length else { return .incomplete }
            body = Array(bytes[bodyStart..<(bodyStart + length)])
            end = bodyStart + length
        } else {
            body = []
            end = bodyStart
        }
        return .complete(
            ReceivedRequest(raw: Data(bytes[0..<end]), requestLine: requestLine, headers: headers, body: Data(body))
        )
    }

    private enum Dechunked {
        case incomplete
        case malformed(String)
        case complete([UInt8], end: Int)
    }

    /// Decodes a chunked body starting at `start`, trailers included.
    private static func dechunk(_ bytes: [UInt8], from start: Int) -> Dechunked {
        var body: [UInt8] = []
        var index = start
        // Bounded: every pass consumes at least one size line.
        while index < bytes.count {
            guard let lineEnd = find(crlf, in: bytes, from: index) else { return .incomplete }
            let sizeLine = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                return .malformed("bad chunk size line: \(sizeLine.prefix(40))")
            }
            let dataStart = lineEnd + crlf.count
            if size == 0 {
                // Trailer section: either an empty line right away, or fields ending in an empty line.
                if bytes.count - dataStart >= 2, bytes[dataStart] == 13, bytes[dataStart + 1] == 10 {
                    return .complete(body, end: dataStart + 2)
                }
                guard let trailersEnd = find(headTerminator, in: bytes, from: dataStart) else { return .incomplete }
                return .complete(body, end: trailersEnd + headTerminator.count)
            }
            guard bytes.count - dataStart >= size + 2 else { return .incomplete }
            let dataEnd = dataStart + size
            guard bytes[dataEnd] == 13, bytes[dataEnd + 1] == 10 else { return .malformed("chunk of \(size) bytes not followed by CRLF") }
            body.append(contentsOf: bytes[dataStart..<dataEnd])
            index = dataEnd + 2
        }
        return .incomplete
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], Array(bytes[index..<(index + pattern.count)]) == pattern {
                return index
            }
            index += 1
        }
        return nil
    }

    // MARK: Sockets

    /// Whether `descriptor` became readable (or closed) within 100 ms.
    static func waitReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 100) > 0
    }

    /// Writes everything (bounded by the socket's send timeout); false when the peer went away.
    @discardableResult
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, noSignalFlag) }
            guard result > 0 else { return false }
            written += result
        }
        return true
    }

    #if canImport(Darwin)
    private static let noSignalFlag: Int32 = 0
    #else
    private static let noSignalFlag = Int32(MSG_NOSIGNAL)
    #endif

    /// A write to a closed peer must fail with EPIPE, not kill the test process.
    static func disableSigpipe(_ descriptor: Int32) {
        #if canImport(Darwin)
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }
}

/// One request written byte for byte on a fresh socket, and the response read back.
///
/// Unlike ``RawHTTP`` it adds nothing (no `Host`, no `Connection`) and sends a body; the
/// response ends by its `Content-Length` or chunked framing, so keep-alive answers work too.
enum RawExchange {
    static func send(port: Int, request: [UInt8], timeoutSeconds: Int = 10) throws -> HTTPResult {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        FakeUpstream.disableSigpipe(descriptor)

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = Ports.loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw HarnessError("connect(127.0.0.1:\(port)) failed: errno \(errno)") }

        // If the server answers early and closes, the rest of the write fails; read what it said anyway.
        let sentEverything = FakeUpstream.sendAll(descriptor, request)

        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        // Bounded: each read waits at most `timeoutSeconds`, and the response is capped at 16 MiB.
        while received.count < 16 * 1024 * 1024 {
            if let response = try RawHTTP.parse(received) { return response }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw HarnessError("read from 127.0.0.1:\(port) failed: errno \(errno)") }
            received.append(contentsOf: chunk[0..<count])
        }
        if let response = try RawHTTP.parse(received, atEnd: true) { return response }
        throw HarnessError(
            "incomplete HTTP response (request \(sentEverything ? "sent" : "only partly sent")): "
                + String(decoding: received.prefix(300), as: UTF8.self)
        )
    }
}
