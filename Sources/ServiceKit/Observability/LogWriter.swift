import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes log lines to a file descriptor from a thread of its own, so that a slow reader (a
/// paused terminal, a full pipe) never blocks the event loop that logged: ``write(_:)`` only
/// appends to a buffer. Past `capacity` bytes waiting, lines are dropped and counted, and once
/// the reader catches up a line of its own says how many were lost.
public final class LogWriter: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
        /// The thread holds bytes it took and has not finished writing.
        var writing = false
        var started = false
    }

    private let descriptor: Int32
    private let capacity: Int
    private let pending = Mutex(Pending())
    /// Signalled when bytes are appended to an empty buffer.
    private let work = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - descriptor: where lines go (1: standard output).
    ///   - capacity: bytes that may wait for the reader before lines are dropped.
    public init(descriptor: Int32, capacity: Int = 4 * 1_024 * 1_024) {
        self.descriptor = descriptor
        self.capacity = capacity
    }

    /// Queues `line` (with its newline) for writing; never blocks on the reader.
    public func write(_ line: String) {
        var line = line
        let (wake, start) = line.withUTF8 { bytes in
            self.pending.withLock { pending -> (Bool, Bool) in
                guard pending.bytes.count + bytes.count <= self.capacity else {
                    pending.dropped += 1
                    return (false, false)
                }
                let wasEmpty = pending.bytes.isEmpty
                pending.bytes.append(contentsOf: bytes)
                let start = !pending.started
                pending.started = true
                return (wasEmpty, start)
            }
        }
        if start { self.startThread() }
        if wake { self.work.signal() }
    }

    /// Waits until every queued line is written, or `timeout` passes; for the end of the process.
    public func flush(timeout: Duration = .seconds(2)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let done = self.pending.withLock { $0.bytes.isEmpty && $0.dropped == 0 && !$0.writing }
            if done { return }
            self.work.signal()
            usleep(1_000)
        }
    }

    private func startThread() {
        let thread = Thread { [self] in
            while true {
                self.work.wait()
                self.drain()
            }
        }
        thread.name = "log-writer"
        thread.start()
    }

    /// Writes whatever is queued, then the count of dropped lines if there were any.
    private func drain() {
        while true {
            let (bytes, dropped) = self.pending.withLock { pending -> ([UInt8], Int) in
                let taken = (pending.bytes, pending.dropped)
                pending.bytes = []
                pending.dropped = 0
                pending.writing = !taken.0.isEmpty || taken.1 > 0
                return taken
            }
            guard !bytes.isEmpty || dropped > 0 else { return }
            self.writeAll(bytes)
            if dropped > 0 {
                self.writeAll(Array(Self.droppedNotice(dropped).utf8))
            }
            self.pending.withLock { $0.writing = false }
        }
    }

    /// A log line saying how many lines were lost.
    static func droppedNotice(_ count: Int) -> String {
        "{\"time\":\"\(JSONLogHandler.timestamp())\",\"level\":\"warning\","
            + "\"message\":\"log lines dropped: the output was not read fast enough\",\"metadata\":{\"log.dropped\":\"\(count)\"}}\n"
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let written = Glibc.write(self.descriptor, base + offset, buffer.count - offset)
                #elseif canImport(Musl)
                let written = Musl.write(self.descriptor, base + offset, buffer.count - offset)
                #else
                let written = Darwin.write(self.descriptor, base + offset, buffer.count - offset)
                #endif
                if written < 0 && errno == EINTR { continue }
                // A closed or broken output: the lines have nowhere to go.
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
