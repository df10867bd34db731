import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One kept-alive TCP connection to 127.0.0.1, written to in pieces, for exchanges that depend
/// on when each part of a request arrives (a head now, its body later).
final class RawConnection {
    private let descriptor: Int32
    private var received = Data()

    init(port: Int) throws {
        #if canImport(Darwin)
        self.descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        self.descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard self.descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var address = Ports.loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(self.descriptor)
            throw HarnessError("connect(127.0.0.1:\(port)) failed: errno \(errno)")
        }
    }

    deinit {
        close(self.descriptor)
    }

    /// Writes all of `text`.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(self.descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw HarnessError("write failed: errno \(errno)") }
            written += result
        }
    }

    /// The next complete response, or nil when none has arrived within `timeout` (or the
    /// connection closed first).
    func readResponse(within timeout: Duration) throws -> HTTPResult? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let response = try RawHTTP.parse(self.received) {
                self.received = Data()
                return response
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left.milliseconds)))
            guard ready > 0 else { return nil }
            let count = chunk.withUnsafeMutableBytes { read(self.descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            self.received.append(contentsOf: chunk[0..<count])
        }
    }
}
