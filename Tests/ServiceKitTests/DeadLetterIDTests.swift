import Testing

@testable import ServiceKit

/// Which redrive ids can be a Redis stream id; any other answers 404 before Redis sees it
/// (found by the contract fuzzing: `03-88558525214949199395` reached XRANGE and ended in a 500).
struct DeadLetterIDTests {
    @Test(arguments: ["0-0", "1732574400000-0", "03-1", "18446744073709551615-18446744073709551615"])
    func aStreamIDIsAccepted(id: String) {
        #expect(DeadLetterRoutes.isStreamID(id))
    }

    @Test(arguments: [
        "03-88558525214949199395", "18446744073709551616-0", "1-", "-1", "1", "1-2-3", "+1-2", "١-٢", "1-2 ", "", "x-1",
    ])
    func anythingElseIsNot(id: String) {
        #expect(!DeadLetterRoutes.isStreamID(id))
    }
}
