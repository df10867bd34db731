import Foundation
import Logging
import ServiceKit
import Synchronization
import Testing

/// Collects the lines a ``JSONLogHandler`` writes, so tests can read what was logged.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    /// Every line written so far, each with its trailing newline.
    var lines: [String] { self.storage.withLock { $0 } }

    /// Adds a line, as a ``LogSink`` does.
    func append(_ line: String) {
        self.storage.withLock { $0.append(line) }
    }

    /// A logger writing JSON lines into this capture.
    func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        let sink = LogSink { line in self.append(line) }
        return Logger(label: label) { label in
            var handler = JSONLogHandler(label: label, service: "test-service", instance: "test-1", level: level, sink: sink)
            handler.metadataProvider = TraceExport.logMetadataProvider
            return handler
        }
    }

    /// Every line parsed as a JSON object; fails when a line is not exactly one object.
    func records() throws -> [LogRecord] {
        try self.lines.map(LogRecord.init(line:))
    }
}

/// One parsed log line.
struct LogRecord {
    let fields: [String: Any]

    init(line: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        self.fields = try #require(object as? [String: Any], "a log line must be a JSON object: \(line)")
    }

    subscript(key: String) -> String? { self.fields[key] as? String }

    /// The nested `metadata` object, empty when absent.
    var metadata: [String: Any] { self.fields["metadata"] as? [String: Any] ?? [:] }
}
