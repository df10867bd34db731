import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one JSON object per line: `time`, `level`, `service`, `instance`, `message`,
/// `requestId`, `traceId` and the remaining metadata, with secrets redacted.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    let label: String
    let service: String
    let instance: String
    let sink: LogSink

    public init(label: String, service: String, instance: String, level: Logger.Level, sink: LogSink = .standardOutput) {
        self.label = label
        self.service = service
        self.instance = instance
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        self.sink.write(self.render(level: event.level, message: event.message.description, metadata: merged))
    }

    func render(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"time\":\"" + Self.timestamp() + "\",\"level\":\"" + level.rawValue + "\""
        line += ",\"service\":" + JSONText.quote(self.service) + ",\"instance\":" + JSONText.quote(self.instance)
        line += ",\"message\":" + JSONText.quote(message)
        var rest = metadata
        for key in ["requestId", "traceId"] {
            if let value = rest.removeValue(forKey: key) { line += ",\"\(key)\":" + JSONText.quote(value.description) }
        }
        rest.removeValue(forKey: "hb.request.id")
        if !rest.isEmpty {
            line += ",\"metadata\":" + JSONText.object(rest.mapValues { Redaction.redact($0) }, redactingKeys: true)
        }
        return line + "}\n"
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Where log lines go: standard output (one locked write per line, so lines never interleave)
/// or a closure for tests.
public struct LogSink: Sendable {
    let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    func write(_ line: String) { self.write(line) }

    private static let stdoutLock = Mutex(())

    /// Standard output.
    public static let standardOutput = LogSink { line in
        stdoutLock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
