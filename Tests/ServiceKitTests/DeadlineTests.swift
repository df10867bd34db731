import ServiceKit
import Testing

/// `withDeadline` answers on time even when the operation ignores cancellation.
struct DeadlineTests {
    private struct OperationFailed: Error {}

    @Test func returnsTheValueOfAnOperationThatFinishesInTime() async throws {
        let value = try await withDeadline(.seconds(10)) { 42 }
        #expect(value == 42)
    }

    @Test func rethrowsTheOperationsError() async throws {
        await #expect(throws: OperationFailed.self) {
            try await withDeadline(.seconds(10)) { () async throws -> Int in throw OperationFailed() }
        }
    }

    @Test func throwsDeadlineExceededOnTimeForAnOperationThatIgnoresCancellation() async throws {
        let gate = Gate()
        let (observations, observer) = AsyncStream.makeStream(of: Bool.self)
        let limit = Duration.milliseconds(100)
        let start = ContinuousClock.now
        let error = await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(limit) { () async -> Int in
                await gate.wait()
                observer.yield(Task.isCancelled)
                observer.finish()
                return 1
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.limit == limit)
        #expect(elapsed >= limit)
        // The gate is still closed, so the operation cannot have finished: withDeadline did not
        // wait for it.
        // Let the abandoned operation end: it must have been cancelled.
        gate.open()
        var iterator = observations.makeAsyncIterator()
        #expect(await iterator.next() == true)
    }

    @Test func cancelsAnOperationThatHonoursCancellation() async throws {
        let (observations, observer) = AsyncStream.makeStream(of: Bool.self)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) { () async throws -> Int in
                defer { observer.finish() }
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    observer.yield(true)
                    throw error
                }
                observer.yield(false)
                return 1
            }
        }
        var iterator = observations.makeAsyncIterator()
        #expect(await iterator.next() == true, "the operation's sleep was cancelled, not waited out")
    }

    @Test func theErrorDescribesTheLimit() async throws {
        let error = await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(20)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        #expect(error?.description.contains("0.02 seconds") == true)
    }
}
