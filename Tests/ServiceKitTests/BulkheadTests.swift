import ServiceKit
import Synchronization
import Testing

/// The bulkhead: a bounded number of calls in flight, the excess refused at once.
struct BulkheadTests {
    /// Shared state of concurrent tasks.
    private final class Shared<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func update<Result>(_ body: (inout Value) -> Result) -> Result { self.value.withLock { body(&$0) } }
        var current: Value { self.value.withLock { $0 } }
    }

    @Test(arguments: [1, 2, 5])
    func acquisitionsUpToTheLimitSucceedAndTheNextFails(limit: Int) {
        let bulkhead = Bulkhead(limit: limit)
        #expect(bulkhead.limit == limit)
        #expect(bulkhead.active == 0)
        for slot in 1...limit {
            #expect(bulkhead.tryAcquire(), "slot \(slot) of \(limit)")
            #expect(bulkhead.active == slot)
        }
        #expect(!bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
        #expect(bulkhead.active == limit)
    }

    @Test func aReleaseFreesExactlyOneSlot() {
        let bulkhead = Bulkhead(limit: 2)
        #expect(bulkhead.tryAcquire() && bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
        bulkhead.release()
        #expect(bulkhead.active == 1)
        #expect(bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
        bulkhead.release()
        bulkhead.release()
        #expect(bulkhead.active == 0)
    }

    @Test func anExtraReleaseDoesNotCreateASlot() {
        let bulkhead = Bulkhead(limit: 1)
        bulkhead.release()
        #expect(bulkhead.active == 0)
        #expect(bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
    }

    @Test func theLimitIsAtLeastOne() {
        let bulkhead = Bulkhead(limit: 0)
        #expect(bulkhead.limit == 1)
        #expect(bulkhead.tryAcquire())
        #expect(!bulkhead.tryAcquire())
    }

    /// 50 tasks try at once while every holder keeps its slot: exactly `limit` get one.
    @Test func concurrentAcquisitionsGetExactlyTheLimit() async throws {
        let limit = 7
        let tasks = 50
        let bulkhead = Bulkhead(limit: limit)
        let gate = Gate()
        let tried = Shared(0)
        let acquired = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    let got = bulkhead.tryAcquire()
                    tried.update { $0 += 1 }
                    guard got else { return false }
                    await gate.wait()
                    bulkhead.release()
                    return true
                }
            }
            // Nobody releases before every task has tried.
            let clock = ContinuousClock()
            let start = clock.now
            while tried.current < tasks, clock.now - start < .seconds(10) {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(tried.current == tasks)
            #expect(bulkhead.active == limit)
            gate.open()
            var acquired = 0
            for try await got in group where got { acquired += 1 }
            return acquired
        }
        #expect(acquired == limit)
        #expect(bulkhead.active == 0)
    }

    /// Tasks acquiring and releasing in a loop: the holders counted from outside never exceed the limit.
    @Test func concurrentChurnNeverExceedsTheLimit() async {
        let limit = 4
        let bulkhead = Bulkhead(limit: limit)
        let holders = Shared((now: 0, peak: 0, admitted: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    for _ in 0..<200 {
                        guard bulkhead.tryAcquire() else {
                            await Task.yield()
                            continue
                        }
                        holders.update {
                            $0.now += 1
                            $0.peak = max($0.peak, $0.now)
                            $0.admitted += 1
                        }
                        await Task.yield()
                        holders.update { $0.now -= 1 }
                        bulkhead.release()
                    }
                }
            }
        }
        let result = holders.current
        #expect(result.peak <= limit)
        #expect(result.peak >= 1)
        #expect(result.admitted >= 200)
        #expect(result.now == 0)
        #expect(bulkhead.active == 0)
    }

    @Test func registryGivesOneBulkheadPerService() {
        let registry = BulkheadRegistry(limit: 2)
        let product = registry.bulkhead(for: "product")
        #expect(registry.bulkhead(for: "product") === product)
        let order = registry.bulkhead(for: "order")
        #expect(order !== product)
        #expect(product.limit == 2 && order.limit == 2)
        // Separate slots: a full product bulkhead does not limit calls to order.
        #expect(product.tryAcquire() && product.tryAcquire())
        #expect(!registry.bulkhead(for: "product").tryAcquire())
        #expect(order.tryAcquire())
        #expect(registry.bulkhead(for: "product").active == 2)
        #expect(registry.bulkhead(for: "order").active == 1)
    }

    @Test func registryCreatesTheSameBulkheadForConcurrentFirstUses() async {
        let registry = BulkheadRegistry(limit: 3)
        let identities = await withTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<64 {
                group.addTask { ObjectIdentifier(registry.bulkhead(for: "payment")) }
            }
            var identities = Set<ObjectIdentifier>()
            for await identity in group { identities.insert(identity) }
            return identities
        }
        #expect(identities.count == 1)
    }

    @Test func clientSettingsReadTheConcurrencyLimit() throws {
        #expect(try ClientSettings(settings: SettingsReader(environment: [:])).maxConcurrentCalls == 100)
        #expect(try ClientSettings(settings: SettingsReader(environment: ["CLIENT_MAX_CONCURRENT_CALLS": "2"])).maxConcurrentCalls == 2)
        for bad in ["0", "100001", "many"] {
            let error = try #require(throws: ConfigurationError.self) {
                try ClientSettings(settings: SettingsReader(environment: ["CLIENT_MAX_CONCURRENT_CALLS": bad]))
            }
            #expect(error.setting == "CLIENT_MAX_CONCURRENT_CALLS")
        }
    }
}
