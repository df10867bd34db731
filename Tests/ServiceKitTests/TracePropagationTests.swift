import Instrumentation
import Testing
import Tracing

@testable import ServiceKit

/// Carrying a trace through an outbox row or a stored order as a `traceparent` string, and
/// spans that exist only inside a trace.
struct TracePropagationTests {
    init() {
        #expect(TestTracing.installed)
    }

    private static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    private static let spanID = "00f067aa0ba902b7"

    /// `00-<trace>-<span>-<flags>` split in its four parts.
    private static func parts(_ traceparent: String?) -> [String] {
        (traceparent ?? "").split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func outsideAnyTraceThereIsNoTraceparent() {
        #expect(TracePropagation.currentTraceparent() == nil)
    }

    @Test func aSpanContinuingAStoredTraceparentKeepsItsTraceAndSampling() {
        for flags in ["01", "00"] {
            let parent = TracePropagation.context(continuing: "00-\(Self.traceID)-\(Self.spanID)-\(flags)")
            let span = InstrumentationSystem.tracer.startAnySpan("step", context: parent)
            let carried = InstrumentationContext.$current.withValue(span.context) { TracePropagation.currentTraceparent() }
            span.end()
            let parts = Self.parts(carried)
            #expect(parts.count == 4, "\(carried ?? "nil")")
            if parts.count == 4 {
                #expect(parts[0] == "00" && parts[1] == Self.traceID && parts[3] == flags, "\(carried ?? "nil")")
                #expect(parts[2] != Self.spanID && parts[2].utf8.count == 16, "a span of its own: \(carried ?? "nil")")
            }
        }
    }

    @Test(arguments: [
        nil, "", "garbage", "00-\(traceID)-\(spanID)", "00-\(traceID.uppercased())-\(spanID)-01",
        "00-\(String(repeating: "0", count: 32))-\(spanID)-01",
    ])
    func anAbsentOrInvalidTraceparentStartsANewTrace(_ stored: String?) {
        let span = InstrumentationSystem.tracer.startAnySpan("step", context: TracePropagation.context(continuing: stored))
        let carried = InstrumentationContext.$current.withValue(span.context) { TracePropagation.currentTraceparent() }
        span.end()
        let parts = Self.parts(carried)
        #expect(parts.count == 4 && parts[1] != Self.traceID.lowercased() && parts[1].utf8.count == 32, "\(carried ?? "nil")")
    }

    @Test func childSpansExistOnlyInsideATrace() async {
        let outside = await TracePropagation.withChildSpan("redis GET") { TracePropagation.currentTraceparent() }
        #expect(outside == nil, "no trace is started by a background command")

        let parent = TracePropagation.context(continuing: "00-\(Self.traceID)-\(Self.spanID)-00")
        let span = InstrumentationSystem.tracer.startAnySpan("request", context: parent)
        let (inner, child) = await InstrumentationContext.$current.withValue(span.context) {
            let inner = TracePropagation.currentTraceparent()
            let child = await TracePropagation.withChildSpan("redis GET") { TracePropagation.currentTraceparent() }
            return (inner, child)
        }
        span.end()
        let innerParts = Self.parts(inner)
        let childParts = Self.parts(child)
        #expect(childParts.count == 4 && innerParts.count == 4)
        if childParts.count == 4, innerParts.count == 4 {
            #expect(childParts[1] == Self.traceID, "the same trace")
            #expect(childParts[2] != innerParts[2], "a span of its own under the request's")
        }
    }

    @Test func aRedisSpanIsNamedByItsCommandOnly() {
        #expect(RedisArgument("evalsha").spanName == "redis EVALSHA")
        #expect(RedisArgument("XREADGROUP").spanName == "redis XREADGROUP")
        #expect(RedisArgument("").spanName == "redis command")
        #expect(RedisArgument("GET key").spanName == "redis command", "nothing but letters: no keys or values in span names")
        #expect(RedisArgument(String(repeating: "A", count: 17)).spanName == "redis command")
        #expect(RedisArgument(String(repeating: "A", count: 16)).spanName == "redis " + String(repeating: "A", count: 16))
    }
}

/// Which incoming `traceparent` values the server continues; the rest are dropped before the
/// tracer sees them.
struct IncomingTraceparentTests {
    private static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    private static let spanID = "00f067aa0ba902b7"

    @Test(arguments: ["00", "01", "ff"])
    func acceptsAVersion00Value(flags: String) {
        #expect(TracePropagation.isValid(traceparent: "00-\(Self.traceID)-\(Self.spanID)-\(flags)"))
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
        "00-\(traceID)-\(spanID)-0\u{e9}",
        "",
    ])
    func rejectsAnInvalidValue(value: String) {
        #expect(!TracePropagation.isValid(traceparent: value))
    }
}
