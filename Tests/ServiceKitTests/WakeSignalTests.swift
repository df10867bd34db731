import ServiceKit
import Testing

/// `WakeSignal` wakes one waiting worker per signal, keeps one signal for the next waiter, and
/// otherwise lets a wait end by its timeout or by cancellation.
struct WakeSignalTests {
    /// Long enough that a wait which ends must have been ended by something else.
    private static let forever = Duration.seconds(3_600)

    @Test func aSignalWakesAWorkerWaitingLong() async throws {
        let wake = WakeSignal()
        let waiter = Task { await wake.wait(upTo: Self.forever) }
        wake.signal()
        let signalled = try await withDeadline(.seconds(30)) { await waiter.value }
        #expect(signalled)
    }

    @Test func aSignalSentWhileNobodyWaitsIsKeptForTheNextWait() async throws {
        let wake = WakeSignal()
        wake.signal()
        let signalled = try await withDeadline(.seconds(30)) { await wake.wait(upTo: Self.forever) }
        #expect(signalled)
    }

    @Test func onlyOneSignalIsKept() async throws {
        let wake = WakeSignal()
        wake.signal()
        wake.signal()
        #expect(await wake.wait(upTo: Self.forever))
        #expect(await wake.wait(upTo: .milliseconds(20)) == false)
    }

    @Test func aWaitEndsByItsTimeoutWithoutASignal() async {
        let wake = WakeSignal()
        #expect(await wake.wait(upTo: .milliseconds(20)) == false)
        // The signal after it is kept, not lost to the ended wait.
        wake.signal()
        #expect(await wake.wait(upTo: Self.forever))
    }

    @Test func cancellingTheTaskEndsItsWait() async throws {
        let wake = WakeSignal()
        let waiter = Task { await wake.wait(upTo: Self.forever) }
        waiter.cancel()
        let signalled = try await withDeadline(.seconds(30)) { await waiter.value }
        #expect(signalled == false)
    }

    @Test func oneSignalWakesOneOfTwoWaiters() async throws {
        let wake = WakeSignal()
        let results = try await withDeadline(.seconds(30)) {
            await withTaskGroup(of: Bool.self) { group -> [Bool] in
                group.addTask { await wake.wait(upTo: Self.forever) }
                group.addTask { await wake.wait(upTo: Self.forever) }
                wake.signal()
                var results: [Bool] = []
                if let first = await group.next() { results.append(first) }
                // The other is still waiting: only cancellation ends it.
                group.cancelAll()
                for await result in group { results.append(result) }
                return results
            }
        }
        #expect(results == [true, false])
    }
}
