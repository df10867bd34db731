import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP/1.1 over a plain socket, for request targets that a URL type would normalise or reject
/// (`/v1/../internal/x`): the bytes written are exactly the ones given.
enum RawHTTP {
    /// Sends `method target HTTP/1.1` to 127.0.0.1:`port` with `Connection: close` and reads one response.
    /// `source` is the loopback address to send from (e.g. `127.0.3.7`: a client of its own
    /// whose socket address no other test shares); `body` goes with a `Content-Length`.
    static func send(
        port: Int,
        method: String = "GET",
        target: String,
        headers: [(String, String)] = [],
        body: Data? = nil,
        source: String? = nil,
        timeoutSeconds: Int = 10
    ) throws -> HTTPResult {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        if let source {
            var local = Ports.loopback(port: 0)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else { throw HarnessError("not an IPv4 address: \(source)") }
            let bound = withUnsafePointer(to: &local) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw HarnessError("bind(\(source)) failed: errno \(errno)") }
        }
        var address = Ports.loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw HarnessError("connect(127.0.0.1:\(port)) failed: errno \(errno)") }

        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + Array(body ?? Data())
        var written = 0
        while written < request.count {
            let result = request[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw HarnessError("write to 127.0.0.1:\(port) failed: errno \(errno)") }
            written += result
        }

        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        // Bounded: each read waits at most `timeoutSeconds`, and the response is capped at 16 MiB.
        while received.count < 16 * 1024 * 1024 {
            if let response = try parse(received) { return response }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw HarnessError("read from 127.0.0.1:\(port) failed: errno \(errno)") }
            received.append(contentsOf: chunk[0..<count])
        }
        if let response = try parse(received, atEnd: true) { return response }
        throw HarnessError("incomplete HTTP response for \(method) \(target): \(String(decoding: received, as: UTF8.self).prefix(300))")
    }

    /// A complete response from `data`, or nil when more bytes are needed.
    static func parse(_ data: Data, atEnd: Bool = false) throws -> HTTPResult? {
        let separator = Data("\r\n\r\n".utf8)
        guard let headEnd = data.range(of: separator) else { return nil }
        let head = String(decoding: data[data.startIndex..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw HarnessError("malformed status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((name: name, value: value))
        }
        let rest = Data(data[headEnd.upperBound...])
        let partial = HTTPResult(status: status, headers: headers, body: rest)

        if let length = partial.header("Content-Length").flatMap({ Int($0) }) {
            guard rest.count >= length else { return atEnd ? partial : nil }
            return HTTPResult(status: status, headers: headers, body: rest.prefix(length))
        }
        if partial.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            if let body = dechunk(rest) {
                return HTTPResult(status: status, headers: headers, body: body)
            }
            return nil
        }
        return atEnd ? partial : nil
    }

    /// The decoded body of a complete chunked encoding, or nil when incomplete.
    private static func dechunk(_ data: Data) -> Data? {
        var body = Data()
        var index = data.startIndex
        let crlf = Data("\r\n".utf8)
        while true {
            guard let lineEnd = data.range(of: crlf, in: index..<data.endIndex) else { return nil }
            let sizeText =
                String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
                .split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            let start = lineEnd.upperBound
            if size == 0 { return body }
            guard data.distance(from: start, to: data.endIndex) >= size + 2 else { return nil }
            let end = data.index(start, offsetBy: size)
            body.append(data[start..<end])
            index = data.index(end, offsetBy: 2)
        }
    }
}
