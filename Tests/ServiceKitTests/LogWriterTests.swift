import Foundation
import Synchronization
import Testing

@testable import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `LogWriter` keeps whole lines in order, and a reader that stops reading never blocks the
/// caller: lines beyond the buffer are dropped and counted, exactly.
struct LogWriterTests {
    /// A pipe whose read end the test drains on a thread of its own.
    private final class Pipe: Sendable {
        let readEnd: Int32
        let writeEnd: Int32
        private let received = Mutex<[UInt8]>([])
        private let ended = Mutex(false)

        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
            self.readEnd = ends[0]
            self.writeEnd = ends[1]
        }

        /// Reads on a thread until the write end is closed.
        func startReading() {
            Thread.detachNewThread {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(self.readEnd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    self.received.withLock { $0.append(contentsOf: chunk[0..<count]) }
                }
                close(self.readEnd)
                self.ended.withLock { $0 = true }
            }
        }

        var lines: [String] {
            self.received.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n").map(String.init)
        }

        /// Closes the write end and waits (bounded) until the reader has read everything.
        func finish() async throws -> [String] {
            close(self.writeEnd)
            for _ in 0..<3_000 where !self.ended.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            return self.lines
        }

        /// Waits (bounded) until `condition` holds for the lines read so far.
        func await(_ condition: ([String]) -> Bool) async throws -> [String] {
            for _ in 0..<3_000 {
                let lines = self.lines
                if condition(lines) { return lines }
                try await Task.sleep(for: .milliseconds(10))
            }
            return self.lines
        }
    }

    @Test func linesArriveWholeAndInOrder() async throws {
        let pipe = try Pipe()
        pipe.startReading()
        let writer = LogWriter(descriptor: pipe.writeEnd)
        for index in 0..<2_000 { writer.write("{\"n\":\(index)}\n") }
        writer.flush(timeout: .seconds(30))
        let lines = try await pipe.finish()
        #expect(lines == (0..<2_000).map { "{\"n\":\($0)}" })
    }

    @Test func aReaderThatStopsNeverBlocksTheCallerAndEveryLostLineIsCounted() async throws {
        let pipe = try Pipe()
        // Nobody reads yet: the pipe (64 KiB) and then the writer's 16 KiB fill up.
        let writer = LogWriter(descriptor: pipe.writeEnd, capacity: 16 * 1_024)
        let line = String(repeating: "x", count: 99) + "\n"
        let written = 20_000
        // 2 MB through a stalled reader: this returns only because write never waits.
        for _ in 0..<written { writer.write(line) }
        pipe.startReading()
        _ = try await pipe.await { lines in lines.contains { $0.contains("log lines dropped") && $0.hasSuffix("\"}}") } }
        writer.flush(timeout: .seconds(30))
        let lines = try await pipe.finish()
        // One notice per time the reader caught up after losses (the writer thread may have
        // drained between two bursts of drops).
        let notices = lines.filter { $0.contains("log lines dropped") }
        #expect(!notices.isEmpty)
        var dropped = 0
        for notice in notices {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(notice.utf8)) as? [String: Any])
            dropped += try #require(Int((record["metadata"] as? [String: Any])?["log.dropped"] as? String ?? ""))
        }
        let delivered = lines.filter { $0 == String(line.dropLast()) }.count
        #expect(dropped > 0)
        #expect(delivered + dropped == written)
    }
}
