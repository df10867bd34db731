import ServiceKit
import Testing

/// Parsing and producing W3C `traceparent` values.
struct TraceContextTests {
    private static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    private static let spanID = "00f067aa0ba902b7"

    @Test func parsesAValidValue() throws {
        let context = try #require(TraceContext(traceparent: "00-\(Self.traceID)-\(Self.spanID)-01"))
        #expect(context.traceID == Self.traceID)
        #expect(context.spanID == Self.spanID)
        #expect(context.flags == 1)
    }

    @Test(arguments: ["00", "01", "ff", "0a"])
    func roundTripsThroughTraceparent(flags: String) throws {
        let value = "00-\(Self.traceID)-\(Self.spanID)-\(flags)"
        let context = try #require(TraceContext(traceparent: value))
        #expect(context.traceparent == value)
        #expect(TraceContext(traceparent: context.traceparent) == context)
    }

    @Test(arguments: [
        "01-\(traceID)-\(spanID)-01",
        "ff-\(traceID)-\(spanID)-01",
        "0-\(traceID)-\(spanID)-01",
        "00-\(traceID.dropLast())-\(spanID)-01",
        "00-\(traceID)0-\(spanID)-01",
        "00-\(traceID)-\(spanID.dropLast())-01",
        "00-\(traceID)-\(spanID)0-01",
        "00-\(traceID)-\(spanID)-1",
        "00-\(traceID)-\(spanID)-001",
        "00-00000000000000000000000000000000-\(spanID)-01",
        "00-\(traceID)-0000000000000000-01",
        "00-\(traceID.uppercased())-\(spanID)-01",
        "00-\(traceID)-00F067AA0BA902B7-01",
        "00-\(traceID)-\(spanID)-0A",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-\(spanID)-01",
        "00-\(traceID)-\(spanID)",
        "00-\(traceID)-\(spanID)-01-extra",
        "00_\(traceID)_\(spanID)_01",
        "",
    ])
    func rejectsAnInvalidValue(value: String) {
        #expect(TraceContext(traceparent: value) == nil)
    }

    @Test func aChildKeepsTheTraceAndFlagsAndGetsANewSpan() throws {
        let parent = try #require(TraceContext(traceparent: "00-\(Self.traceID)-\(Self.spanID)-00"))
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.flags == parent.flags)
        #expect(child.spanID != parent.spanID)
        #expect(TraceContext(traceparent: child.traceparent) == child)
    }

    @Test func aRandomContextIsValidAndSampled() throws {
        let first = TraceContext.random()
        let second = TraceContext.random()
        #expect(TraceContext(traceparent: first.traceparent) == first)
        #expect(first.flags == 1)
        #expect(first.traceID != second.traceID)
    }

    @Test func randomIDsAreAlwaysWellFormed() {
        for _ in 0..<1000 {
            let context = TraceContext.random()
            #expect(context.traceID.count == 32 && context.spanID.count == 16)
            #expect(TraceContext(traceparent: context.child().traceparent) != nil)
        }
    }
}
