import ServiceKit
import Synchronization
import Testing

@testable import GatewayService

struct RecentValueTests {
    @Test func aValueIsComputedOncePerMaxAgePerKey() async {
        let time = ManualTime()
        let recent = RecentValue<Bool, Int>(maxAge: .seconds(2), time: time.source)
        let computed = Mutex(0)
        let compute: @Sendable () async -> Int = {
            computed.withLock {
                $0 += 1
                return $0
            }
        }

        #expect(await recent.value(for: false, compute: compute) == 1)
        #expect(await recent.value(for: false, compute: compute) == 1)
        time.advance(by: .milliseconds(1999))
        #expect(await recent.value(for: false, compute: compute) == 1, "still younger than 2 s")
        #expect(await recent.value(for: true, compute: compute) == 2, "each key has its own value")
        time.advance(by: .milliseconds(1))
        #expect(await recent.value(for: false, compute: compute) == 3, "2 s old: computed again")
        #expect(await recent.value(for: true, compute: compute) == 2)
        #expect(computed.withLock { $0 } == 3)
    }
}
