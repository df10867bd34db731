import Instrumentation
import Tracing

/// Carries a trace across hops that are not HTTP calls (an outbox row, an event envelope, a
/// saga step that runs later) as a W3C `traceparent` value.
public enum TracePropagation {
    /// The `traceparent` of the active span, or `nil` outside any trace.
    public static func currentTraceparent() -> String? {
        guard let context = InstrumentationContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier[Self.field]
    }

    /// A context continuing `traceparent`; a top-level one when it is `nil` or not valid (the
    /// tracer is never handed an invalid value: it would log a warning for each).
    public static func context(continuing traceparent: String?) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        if let traceparent, Self.isValid(traceparent: traceparent) {
            InstrumentationSystem.instrument.extract([Self.field: traceparent], into: &context, using: DictionaryExtractor())
        }
        return context
    }

    /// Runs `operation` inside a span named `name`, only when a trace is active: work done on
    /// behalf of a request or event (a transaction, a Redis command) shows in its trace, and
    /// background polling never starts traces of its own.
    public static func withChildSpan<Result>(
        _ name: @autoclosure () -> String,
        ofKind kind: SpanKind = .internal,
        attributes: (inout SpanAttributes) -> Void = { _ in },
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> Result
    ) async rethrows -> Result {
        guard let context = InstrumentationContext.current else { return try await operation() }
        let span = InstrumentationSystem.tracer.startAnySpan(name(), context: context, ofKind: kind)
        span.updateAttributes(attributes)
        defer { span.end() }
        do {
            return try await InstrumentationContext.$current.withValue(span.context) { try await operation() }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Whether `value` is one W3C version-00 `traceparent`:
    /// `00-<32 lowercase hex, not all 0>-<16 lowercase hex, not all 0>-<2 lowercase hex>`.
    public static func isValid(traceparent value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
            bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return false }
        let traceID = bytes[3..<35]
        let spanID = bytes[36..<52]
        let flags = bytes[53..<55]
        let isLowerHex = { (byte: UInt8) in (48...57).contains(byte) || (97...102).contains(byte) }
        return traceID.allSatisfy(isLowerHex) && spanID.allSatisfy(isLowerHex) && flags.allSatisfy(isLowerHex)
            && traceID.contains { $0 != UInt8(ascii: "0") } && spanID.contains { $0 != UInt8(ascii: "0") }
    }

    private static let field = "traceparent"
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
