import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One RESP reply.
enum RedisReply: Sendable, Equatable, CustomStringConvertible {
    /// `+OK`.
    case status(String)
    /// `-ERR …`.
    case error(String)
    case integer(Int)
    /// `$…`; nil for the null bulk string.
    case bulk(String?)
    /// `*…`; nil for the null array.
    case array([RedisReply]?)

    /// A status or bulk string.
    var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let text): text
        default: nil
        }
    }

    var integer: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var array: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var description: String {
        switch self {
        case .status(let text): "+\(text)"
        case .error(let text): "-\(text)"
        case .integer(let value): ":\(value)"
        case .bulk(let text): text.map { "\"\($0)\"" } ?? "(nil)"
        case .array(let items): items.map { "[\($0.map(\.description).joined(separator: ", "))]" } ?? "(nil array)"
        }
    }
}

/// One entry of a Redis stream, as `XRANGE` returns it.
struct RedisStreamEntry: Sendable, Equatable {
    let id: String
    let fields: [String: String]
}

/// The suite's Redis (`SHOP_REDIS_URL`): commands spoken in RESP over a plain socket (one connection per
/// call, every read bounded by a timeout), and a restart from `SHOP_REDIS_CONF` (graceful `SHUTDOWN`, then
/// `redis-server <conf>`, which daemonizes and keeps its data through the append-only file).
enum RedisControl {
    /// Where `SHOP_REDIS_URL` points: `redis://[[user]:password@]host:port[/db]`, host an IPv4 literal or localhost.
    struct Endpoint: Sendable {
        let host: String
        let port: Int
        let username: String?
        let password: String?
        let database: Int?
    }

    static func endpoint() throws -> Endpoint {
        let raw = try Stack.required("SHOP_REDIS_URL")
        guard let components = URLComponents(string: raw), components.scheme == "redis", let host = components.host, !host.isEmpty else {
            throw HarnessError("SHOP_REDIS_URL is not redis://host:port: \(raw)")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        return Endpoint(
            host: host == "localhost" ? "127.0.0.1" : host,
            port: components.port ?? 6379,
            username: user,
            password: components.password,
            database: path.isEmpty ? nil : Int(path)
        )
    }

    // MARK: Commands

    /// Sends one command and returns its reply (an error reply is returned, not thrown).
    static func command(_ arguments: [String], timeoutSeconds: Int = 5) throws -> RedisReply {
        let replies = try exchange([arguments], timeoutSeconds: timeoutSeconds)
        guard let reply = replies.last else { throw HarnessError("redis: no reply to \(arguments.first ?? "?")") }
        return reply
    }

    /// Sends one command; throws on an error reply.
    @discardableResult
    static func run(_ arguments: String..., timeoutSeconds: Int = 5) throws -> RedisReply {
        let reply = try command(arguments, timeoutSeconds: timeoutSeconds)
        if case .error(let message) = reply {
            throw HarnessError("redis \(arguments.prefix(2).joined(separator: " ")): \(message)")
        }
        return reply
    }

    /// `XADD <stream> * field value …`; the new entry's id.
    static func xadd(_ stream: String, fields: [(String, String)]) throws -> String {
        var arguments = ["XADD", stream, "*"]
        for (name, value) in fields {
            arguments += [name, value]
        }
        let reply = try command(arguments)
        guard let id = reply.string, !id.isEmpty else { throw HarnessError("redis XADD \(stream): unexpected reply \(reply)") }
        return id
    }

    /// `XLEN <stream>`.
    static func xlen(_ stream: String) throws -> Int {
        let reply = try run("XLEN", stream)
        guard let length = reply.integer else { throw HarnessError("redis XLEN \(stream): unexpected reply \(reply)") }
        return length
    }

    /// `XRANGE <stream> <start> <end> COUNT <count>`.
    static func xrange(_ stream: String, from start: String = "-", to end: String = "+", count: Int = 1000) throws -> [RedisStreamEntry] {
        let reply = try run("XRANGE", stream, start, end, "COUNT", String(count))
        return (reply.array ?? []).compactMap { item in
            guard let parts = item.array, parts.count == 2, let id = parts[0].string else { return nil }
            var fields: [String: String] = [:]
            let flat = parts[1].array ?? []
            var index = 0
            while index + 1 < flat.count {
                if let name = flat[index].string, let value = flat[index + 1].string { fields[name] = value }
                index += 2
            }
            return RedisStreamEntry(id: id, fields: fields)
        }
    }

    /// Whether Redis answers `PING` with `PONG` right now (not while it is still loading its data).
    static func ping() -> Bool {
        (try? command(["PING"], timeoutSeconds: 1))?.string == "PONG"
    }

    /// The server's process id (`INFO server`).
    static func serverPID() throws -> Int32 {
        let info = try run("INFO", "server").string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("process_id:") {
            if let pid = Int32(line.dropFirst("process_id:".count).trimmingCharacters(in: .whitespaces)) { return pid }
        }
        throw HarnessError("redis INFO server has no process_id")
    }

    // MARK: Restart

    /// Stops Redis gracefully and starts it again from `SHOP_REDIS_CONF`; returns once it answers `PONG`
    /// (within `timeout` for each of the stop and the start). If it cannot be started again, it tries once more
    /// before throwing, so a failed restart does not silently leave the suite without Redis.
    static func restart(timeout: Duration = .seconds(20)) async throws {
        let configuration = try Stack.required("SHOP_REDIS_CONF")
        let oldPID = try serverPID()
        try shutdown()
        try await waitUntilDown(pid: oldPID, timeout: timeout)
        do {
            try await start(configuration: configuration, timeout: timeout)
        } catch {
            if !ping() {
                try? await start(configuration: configuration, timeout: timeout)
            }
            throw error
        }
    }

    /// Starts Redis from `SHOP_REDIS_CONF` unless it answers already; for clean-up paths.
    static func ensureRunning(timeout: Duration = .seconds(20)) async throws {
        guard !ping() else { return }
        try await start(configuration: try Stack.required("SHOP_REDIS_CONF"), timeout: timeout)
    }

    /// `SHUTDOWN`: the server closes the connection without a reply when it goes down; an error reply throws.
    static func shutdown() throws {
        let replies: [RedisReply]
        do {
            replies = try exchange([["SHUTDOWN"]], timeoutSeconds: 10, allowClose: true)
        } catch {
            throw HarnessError("redis SHUTDOWN failed: \(error)")
        }
        if case .error(let message)? = replies.last {
            throw HarnessError("redis refused SHUTDOWN: \(message)")
        }
    }

    /// Waits until nothing answers on the port and the old process is gone (the latter at most 5 s more).
    private static func waitUntilDown(pid: Int32, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ping() {
            guard ContinuousClock.now < deadline else { throw HarnessError("redis still answers \(timeout) after SHUTDOWN") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let gone = ContinuousClock.now.advanced(by: .seconds(5))
        while isAlive(pid), ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether `pid` is a live process (an exited one not yet reaped by its parent, a zombie, is not).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.range(of: ") ", options: .backwards)
        else { return true }
        return stat[end.upperBound...].first != "Z"
    }

    /// Runs `redis-server <configuration>` (it daemonizes) and waits for `PONG`.
    ///
    /// Success is the server answering, not the launched process exiting: the daemon inherits the socket through
    /// which `Process` watches its child, so the launcher may look running long after it exited. A launcher that
    /// fails before daemonizing (a bad configuration, a taken port) does exit, and its status is reported.
    private static func start(configuration: String, timeout: Duration) async throws {
        let process = Process()
        process.executableURL = try serverExecutable()
        process.arguments = [configuration]
        process.environment = try ServiceProcess.baseEnvironment()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            // The daemon inherits the signal mask: with the runtime's blocked set it would ignore SIGTERM.
            try withSignalsUnblocked { try process.run() }
        } catch {
            throw HarnessError("could not launch redis-server \(configuration): \(error)")
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !ping() {
            if !process.isRunning, process.terminationStatus != 0 {
                throw HarnessError("redis-server \(configuration) exited with \(process.terminationStatus)\(logTail(configuration))")
            }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("redis did not answer PONG within \(timeout) of its restart\(logTail(configuration))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `redis-server` from PATH, else the usual places.
    private static func serverExecutable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        for folder in folders where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw HarnessError("no redis-server on PATH (\(path))")
    }

    /// The last lines of the log file the configuration names, for failure messages.
    private static func logTail(_ configuration: String) -> String {
        guard let text = try? String(contentsOfFile: configuration, encoding: .utf8) else { return "" }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("logfile") {
            let path = line.dropFirst("logfile".count).trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
            guard let data = FileManager.default.contents(atPath: path) else { return "" }
            let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(15)
            return "; \(path):\n" + lines.joined(separator: "\n")
        }
        return ""
    }

    private static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    // MARK: RESP over a socket

    /// Connects, authenticates and selects the database if the URL says so, sends `commands` in one go and
    /// reads one reply per command. With `allowClose`, the server closing the connection ends the replies early.
    private static func exchange(_ commands: [[String]], timeoutSeconds: Int, allowClose: Bool = false) throws -> [RedisReply] {
        let endpoint = try endpoint()
        var prefix: [[String]] = []
        if let password = endpoint.password {
            prefix.append(["AUTH"] + (endpoint.username.map { [$0] } ?? []) + [password])
        }
        if let database = endpoint.database {
            prefix.append(["SELECT", String(database)])
        }
        let descriptor = try openSocket(endpoint, timeoutSeconds: timeoutSeconds)
        defer { close(descriptor) }

        var request: [UInt8] = []
        for command in prefix + commands {
            request += Array("*\(command.count)\r\n".utf8)
            for argument in command {
                let bytes = Array(argument.utf8)
                request += Array("$\(bytes.count)\r\n".utf8) + bytes + [13, 10]
            }
        }
        guard FakeUpstream.sendAll(descriptor, request) else {
            throw HarnessError("redis: write to \(endpoint.host):\(endpoint.port) failed: errno \(errno)")
        }

        var received: [UInt8] = []
        var offset = 0
        var replies: [RedisReply] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let expected = prefix.count + commands.count
        // Bounded: each read waits at most `timeoutSeconds`, and replies are capped at 64 MiB.
        while replies.count < expected {
            if let parsed = try parse(received, from: offset) {
                replies.append(parsed.reply)
                offset = parsed.next
                continue
            }
            guard received.count < 64 * 1024 * 1024 else { throw HarnessError("redis: reply over 64 MiB") }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                if allowClose { break }
                throw HarnessError("redis: connection closed or timed out after \(replies.count) of \(expected) replies (errno \(errno))")
            }
            received.append(contentsOf: chunk[0..<count])
        }
        for (index, reply) in replies.prefix(prefix.count).enumerated() {
            if case .error(let message) = reply { throw HarnessError("redis \(prefix[index][0]): \(message)") }
        }
        return Array(replies.dropFirst(prefix.count))
    }

    private static func openSocket(_ endpoint: Endpoint, timeoutSeconds: Int) throws -> Int32 {
        var address = Ports.loopback(port: endpoint.port)
        guard inet_pton(AF_INET, endpoint.host, &address.sin_addr) == 1 else {
            throw HarnessError("redis: host \(endpoint.host) is not an IPv4 address")
        }
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("redis: socket() failed: errno \(errno)") }
        FakeUpstream.disableSigpipe(descriptor)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw HarnessError("redis: connect(\(endpoint.host):\(endpoint.port)) failed: errno \(code)")
        }
        return descriptor
    }

    /// One complete reply starting at `offset`, with the offset after it; nil when more bytes are needed.
    static func parse(_ bytes: [UInt8], from offset: Int) throws -> (reply: RedisReply, next: Int)? {
        guard offset < bytes.count else { return nil }
        guard let lineEnd = lineEnd(bytes, from: offset + 1) else { return nil }
        let line = String(decoding: bytes[(offset + 1)..<lineEnd], as: UTF8.self)
        let next = lineEnd + 2
        switch bytes[offset] {
        case UInt8(ascii: "+"):
            return (.status(line), next)
        case UInt8(ascii: "-"):
            return (.error(line), next)
        case UInt8(ascii: ":"):
            guard let value = Int(line) else { throw HarnessError("redis: bad integer reply \(line)") }
            return (.integer(value), next)
        case UInt8(ascii: "$"):
            guard let length = Int(line) else { throw HarnessError("redis: bad bulk length \(line)") }
            if length < 0 { return (.bulk(nil), next) }
            guard bytes.count >= next + length + 2 else { return nil }
            return (.bulk(String(decoding: bytes[next..<(next + length)], as: UTF8.self)), next + length + 2)
        case UInt8(ascii: "*"):
            guard let count = Int(line) else { throw HarnessError("redis: bad array length \(line)") }
            if count < 0 { return (.array(nil), next) }
            var items: [RedisReply] = []
            var position = next
            for _ in 0..<count {
                guard let parsed = try parse(bytes, from: position) else { return nil }
                items.append(parsed.reply)
                position = parsed.next
            }
            return (.array(items), position)
        default:
            throw HarnessError("redis: unexpected reply type byte \(bytes[offset])")
        }
    }

    private static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
