import Foundation

/// A span as an OTLP exporter sent it, with the fields the trace tests look at.
struct ReceivedSpan: Sendable, Equatable, CustomStringConvertible {
    /// OTLP `SpanKind`.
    enum Kind: Int, Sendable {
        case unspecified = 0
        case `internal` = 1
        case server = 2
        case client = 3
        case producer = 4
        case consumer = 5
    }

    /// The resource's `service.name`.
    var service: String
    var traceID: String
    var spanID: String
    /// Empty for a root span.
    var parentSpanID: String
    var name: String
    var kind: Kind

    var description: String { "\(self.service) \(self.kind) \"\(self.name)\" \(self.spanID) ← \(self.parentSpanID)" }
}

/// Reads the spans out of an OTLP `ExportTraceServiceRequest` in protobuf's wire format: only
/// the fields needed (resource `service.name`; span ids, parent, name, kind), everything else
/// skipped. Throws on a malformed message, so a broken exporter fails the test.
enum OTLPSpanDecoder {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func spans(in request: [UInt8]) throws -> [ReceivedSpan] {
        var spans: [ReceivedSpan] = []
        var reader = WireReader(request[...])
        while let (field, value) = try reader.next() {
            guard field == 1, case .bytes(let resourceSpans) = value else { continue }
            spans += try Self.resourceSpans(resourceSpans)
        }
        return spans
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static func resourceSpans(_ bytes: ArraySlice<UInt8>) throws -> [ReceivedSpan] {
        var service = ""
        var scopes: [ArraySlice<UInt8>] = []
        var reader = WireReader(bytes)
        while let (field, value) = try reader.next() {
            guard case .bytes(let inner) = value else { continue }
            if field == 1 { service = try Self.serviceName(inResource: inner) ?? "" }
            if field == 2 { scopes.append(inner) }
        }
        var spans: [ReceivedSpan] = []
        for scope in scopes {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            var scopeReader = WireReader(scope)
            while let (field, value) = try scopeReader.next() {
                guard field == 2, case .bytes(let span) = value else { continue }
                spans.append(try Self.span(span, service: service))
            }
        }
        return spans
    }

    // Resource { repeated KeyValue attributes = 1; }  KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string string_value = 1; ... }
    private static func serviceName(inResource bytes: ArraySlice<UInt8>) throws -> String? {
        var reader = WireReader(bytes)
        while let (field, value) = try reader.next() {
            guard field == 1, case .bytes(let keyValue) = value else { continue }
            var key = ""
            var text: String?
            var pair = WireReader(keyValue)
            while let (inner, innerValue) = try pair.next() {
                guard case .bytes(let payload) = innerValue else { continue }
                if inner == 1 { key = String(decoding: payload, as: UTF8.self) }
                if inner == 2 {
                    var any = WireReader(payload)
                    while let (anyField, anyValue) = try any.next() {
                        if anyField == 1, case .bytes(let string) = anyValue { text = String(decoding: string, as: UTF8.self) }
                    }
                }
            }
            if key == "service.name" { return text }
        }
        return nil
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
    //        string name = 5; SpanKind kind = 6; ... }
    private static func span(_ bytes: ArraySlice<UInt8>, service: String) throws -> ReceivedSpan {
        var span = ReceivedSpan(service: service, traceID: "", spanID: "", parentSpanID: "", name: "", kind: .unspecified)
        var reader = WireReader(bytes)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let id)): span.traceID = Self.hex(id)
            case (2, .bytes(let id)): span.spanID = Self.hex(id)
            case (4, .bytes(let id)): span.parentSpanID = Self.hex(id)
            case (5, .bytes(let name)): span.name = String(decoding: name, as: UTF8.self)
            case (6, .varint(let kind)): span.kind = ReceivedSpan.Kind(rawValue: Int(truncatingIfNeeded: kind)) ?? .unspecified
            default: break
            }
        }
        guard span.traceID.utf8.count == 32, span.spanID.utf8.count == 16 else {
            throw Malformed(description: "a span without a 16-byte trace id and an 8-byte span id: \(span)")
        }
        return span
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}

/// One field of a protobuf message at a time.
private struct WireReader {
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed
    }

    private var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.rest = bytes
    }

    /// The next field number and its value; `nil` at the end.
    mutating func next() throws -> (Int, Value)? {
        guard !self.rest.isEmpty else { return nil }
        let key = try self.varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0:
            return (field, .varint(try self.varint()))
        case 1:
            try self.skip(8)
            return (field, .fixed)
        case 2:
            let length = try self.varint()
            guard length <= UInt64(self.rest.count) else { throw OTLPSpanDecoder.Malformed(description: "a field longer than its message") }
            let bytes = self.rest.prefix(Int(length))
            self.rest = self.rest.dropFirst(Int(length))
            return (field, .bytes(bytes))
        case 5:
            try self.skip(4)
            return (field, .fixed)
        default:
            throw OTLPSpanDecoder.Malformed(description: "wire type \(key & 7) of field \(field)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = self.rest.first {
            self.rest = self.rest.dropFirst()
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw OTLPSpanDecoder.Malformed(description: "a truncated varint")
    }

    private mutating func skip(_ count: Int) throws {
        guard self.rest.count >= count else { throw OTLPSpanDecoder.Malformed(description: "a truncated fixed-width field") }
        self.rest = self.rest.dropFirst(count)
    }
}
