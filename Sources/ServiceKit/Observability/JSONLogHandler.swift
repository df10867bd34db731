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
/// `requestId`, `traceId`, `spanId` and the remaining metadata, with secrets redacted.
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
        var line = ""
        line.reserveCapacity(512)
        line.append("{\"time\":\"")
        line.append(Self.timestamp())
        line.append("\",\"level\":\"")
        line.append(level.rawValue)
        line.append("\",\"service\":")
        JSONText.appendQuoted(self.service, to: &line)
        line.append(",\"instance\":")
        JSONText.appendQuoted(self.instance, to: &line)
        line.append(",\"message\":")
        JSONText.appendQuoted(message, to: &line)
        var rest = metadata
        for key in ["requestId", "traceId", "spanId"] {
            if let value = rest.removeValue(forKey: key) {
                line.append(",\"\(key)\":")
                JSONText.appendQuoted(value.description, to: &line)
            }
        }
        rest.removeValue(forKey: "hb.request.id")
        rest.removeValue(forKey: "traceFlags")
        if !rest.isEmpty {
            // Secret-looking keys are redacted at every depth as the object is written.
            line.append(",\"metadata\":")
            JSONText.appendObject(rest, redactingKeys: true, to: &line)
        }
        line.append("}\n")
        return line
    }

    /// Now as `2026-11-29T06:37:55.784Z` (UTC, milliseconds), without Foundation's formatters,
    /// which cost more than the rest of the line.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Self.timestamp(seconds: now.tv_sec, milliseconds: Int(now.tv_nsec / 1_000_000))
    }

    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var position = 0
            func put(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor &*= 10 }
                var rest = max(0, value)
                for _ in 0..<digits {
                    buffer[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: (rest / divisor) % 10)
                    rest %= divisor
                    divisor /= 10
                    position += 1
                }
            }
            func put(_ character: Unicode.Scalar) {
                buffer[position] = UInt8(ascii: character)
                position += 1
            }
            put(Int(parts.tm_year) + 1900, digits: 4)
            put("-")
            put(Int(parts.tm_mon) + 1, digits: 2)
            put("-")
            put(Int(parts.tm_mday), digits: 2)
            put("T")
            put(Int(parts.tm_hour), digits: 2)
            put(":")
            put(Int(parts.tm_min), digits: 2)
            put(":")
            put(Int(parts.tm_sec), digits: 2)
            put(".")
            put(milliseconds, digits: 3)
            put("Z")
            return position
        }
    }
}

/// Where log lines go: standard output (through ``LogWriter``: whole lines, in order, written
/// from a thread of their own so logging never waits for the reader) or a closure for tests.
public struct LogSink: Sendable {
    let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    func write(_ line: String) { self.write(line) }

    /// The process's standard output writer.
    public static let standardOutputWriter = LogWriter(descriptor: 1)

    /// Standard output.
    public static let standardOutput = LogSink { line in standardOutputWriter.write(line) }
}
