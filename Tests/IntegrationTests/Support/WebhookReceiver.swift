import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A webhook endpoint on 127.0.0.1 inside the test process: records every request and answers the n-th with
/// `replies[n]` (`otherwise` once the list runs out), then closes the connection.
///
/// Plain sockets on background threads, every wait bounded by a 100 ms poll (as ``FakeUpstream``): `stop()`
/// (or the lifetime running out) ends them all.
final class WebhookReceiver: Sendable {
    static let maxConnections = 32

    /// How the receiver answers one request: as a webhook endpoint should, or as a hostile one does.
    enum Reply: Sendable {
        /// This status with a small JSON body.
        case status(Int)
        /// `302 Found` to `location`.
        case redirect(to: String)
        /// `200 OK` announcing `bytes` bytes of body and sending them (until the peer hangs up).
        case hugeBody(bytes: Int)
        /// Never answers; holds the connection until the peer hangs up or the receiver stops.
        case silence
        /// Answers bytes that are not HTTP at all.
        case garbage
    }

    let port: Int
    private let replies: [Reply]
    private let otherwise: Reply
    private let listener: Int32
    private let deadline: ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var stopping = false
        var runningThreads = 0
        var connections = 0
        var requests: [ReceivedRequest] = []
        var errors: [String] = []
        var bodyBytesSent = 0
    }

    /// Answers the n-th request with `statuses[n]`, then 200.
    convenience init(statuses: [Int] = [], lifetime: Duration = .seconds(120)) throws {
        try self.init(replies: statuses.map { .status($0) }, lifetime: lifetime)
    }

    init(replies: [Reply], otherwise: Reply = .status(200), lifetime: Duration = .seconds(120)) throws {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("webhook receiver: socket() failed: errno \(errno)") }
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
            throw HarnessError("webhook receiver: bind/listen on 127.0.0.1:0 failed: errno \(code)")
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
            throw HarnessError("webhook receiver: getsockname failed: errno \(code)")
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.replies = replies
        self.otherwise = otherwise
        self.listener = descriptor
        self.deadline = ContinuousClock.now.advanced(by: lifetime)
        self.state = Mutex(State(runningThreads: 1))
        // The accept thread owns the listening socket and closes it when it ends.
        let thread = Thread { [self] in
            self.acceptLoop()
            self.threadEnded()
        }
        thread.name = "webhook-receiver-\(port)"
        thread.start()
    }

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests read completely so far, in arrival order.
    var requests: [ReceivedRequest] { state.withLock { $0.requests } }

    /// What went wrong while reading requests.
    var errors: [String] { state.withLock { $0.errors } }

    /// The body bytes sent so far by ``Reply/hugeBody(bytes:)`` answers.
    var bodyBytesSent: Int { state.withLock { $0.bodyBytesSent } }

    /// Waits (bounded) until at least `count` requests were read; the requests read by then.
    func waitForRequests(_ count: Int, timeout: Duration) async -> [ReceivedRequest] {
        let until = ContinuousClock.now.advanced(by: timeout)
        while true {
            let current = requests
            if current.count >= count || ContinuousClock.now >= until { return current }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body`, then stops the receiver, whether `body` threw or not.
    func whileServing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await self.stop()
            return result
        } catch {
            await self.stop()
            throw error
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

    private var shouldStop: Bool {
        state.withLock { $0.stopping } || ContinuousClock.now >= deadline
    }

    private func threadEnded() {
        state.withLock { $0.runningThreads -= 1 }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !shouldStop {
            guard FakeUpstream.waitReadable(listener) else { continue }
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
            FakeUpstream.disableSigpipe(connection)
            let thread = Thread { [self] in
                self.serve(connection)
                self.threadEnded()
            }
            thread.name = "webhook-receiver-\(port)-connection"
            thread.start()
        }
    }

    /// Reads one request, records it, answers with the status its turn calls for and closes.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !shouldStop {
            guard FakeUpstream.waitReadable(connection) else { continue }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            received.append(contentsOf: chunk[0..<count])
            guard received.count <= FakeUpstream.maxRequestBytes else {
                state.withLock { $0.errors.append("request over \(FakeUpstream.maxRequestBytes) bytes") }
                return
            }
            switch FakeUpstream.parseRequest(received) {
            case .incomplete:
                continue
            case .malformed(let reason):
                state.withLock { $0.errors.append("\(reason); received: \(String(decoding: received.prefix(300), as: UTF8.self))") }
                FakeUpstream.sendAll(connection, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return
            case .complete(let request):
                let turn = state.withLock { state -> Int in
                    state.requests.append(request)
                    return state.requests.count - 1
                }
                self.answer(connection, turn < self.replies.count ? self.replies[turn] : self.otherwise)
                return
            }
        }
    }

    private func answer(_ connection: Int32, _ reply: Reply) {
        switch reply {
        case .status(let status):
            let reason = status < 300 ? "OK" : "Internal Server Error"
            Self.respond(connection, head: "HTTP/1.1 \(status) \(reason)", body: #"{"received":true}"#)
        case .redirect(let location):
            Self.respond(connection, head: "HTTP/1.1 302 Found\r\nLocation: \(location)", body: "")
        case .hugeBody(let total):
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(total)\r\nConnection: close\r\n\r\n"
            // A peer that stops reading without hanging up must not hold this thread for ever.
            var limit = timeval(tv_sec: 5, tv_usec: 0)
            _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            guard FakeUpstream.sendAll(connection, Array(head.utf8)) else { return }
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
            var sent = 0
            while sent < total, !self.shouldStop {
                let part = Array(chunk.prefix(total - sent))
                guard FakeUpstream.sendAll(connection, part) else { return }
                sent += part.count
                self.state.withLock { $0.bodyBytesSent += part.count }
            }
        case .silence:
            var sink = [UInt8](repeating: 0, count: 4096)
            while !self.shouldStop {
                guard FakeUpstream.waitReadable(connection) else { continue }
                if sink.withUnsafeMutableBytes({ recv(connection, $0.baseAddress, $0.count, 0) }) <= 0 { return }
            }
        case .garbage:
            FakeUpstream.sendAll(connection, Array("SSH-2.0-OpenSSH_9.2\r\n\u{0}\u{1}\u{2}not http at all\r\n\r\n".utf8))
        }
    }

    private static func respond(_ connection: Int32, head: String, body: String) {
        let response =
            "\(head)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        FakeUpstream.sendAll(connection, Array(response.utf8))
    }
}

/// Checks an `X-Signature` header of a webhook delivery as a receiver would.
enum WebhookSignatureCheck {
    /// The `t` and `v1` values of an `X-Signature: t=<unix seconds>,v1=<hex>` header.
    static func parts(_ header: String) -> (timestamp: Int64, signatures: [String])? {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].trimmingCharacters(in: .whitespaces) {
            case "t": timestamp = Int64(value)
            case "v1": signatures.append(value)
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { return nil }
        return (timestamp, signatures)
    }

    /// Whether a `v1` of the header is the lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of `secret`,
    /// of `"<t>." + body`.
    static func verifies(_ header: String, body: Data, secret: String) -> Bool {
        guard let parts = Self.parts(header) else { return false }
        var message = Data("\(parts.timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        let digits = Array("0123456789abcdef")
        let expected = String(Data(code).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
        return parts.signatures.contains(expected)
    }
}
