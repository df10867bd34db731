/// A W3C Trace Context (`traceparent`): which trace a request belongs to and which span called it.
///
/// Propagated on every HTTP call so logs of one request can be joined across services.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, never all zero.
    public let traceID: String
    /// 16 lowercase hex digits of the current span, never all zero.
    public let spanID: String
    /// Trace flags (bit 0: sampled).
    public let flags: UInt8

    /// Parses a `traceparent` header value; `nil` when it is not a valid version-00 value.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00",
            parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            Self.isLowerHex(parts[1]), Self.isLowerHex(parts[2]), Self.isLowerHex(parts[3]),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.traceID = String(parts[1])
        self.spanID = String(parts[2])
        self.flags = flags
    }

    private init(traceID: String, spanID: String, flags: UInt8) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// A new trace, sampled.
    public static func random() -> TraceContext {
        TraceContext(
            traceID: Self.hex(UInt64.random(in: 1...UInt64.max)) + Self.hex(UInt64.random(in: 0...UInt64.max)),
            spanID: Self.hex(UInt64.random(in: 1...UInt64.max)),
            flags: 1
        )
    }

    /// The context for a call made from this span: same trace, new span id.
    public func child() -> TraceContext {
        TraceContext(traceID: self.traceID, spanID: Self.hex(UInt64.random(in: 1...UInt64.max)), flags: self.flags)
    }

    /// The `traceparent` header value.
    public var traceparent: String {
        let flagHex = String(self.flags, radix: 16)
        return "00-\(self.traceID)-\(self.spanID)-\(flagHex.count == 1 ? "0" + flagHex : flagHex)"
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func isLowerHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
