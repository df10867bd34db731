import Logging
import ServiceKit
import Synchronization
import Testing

/// The service token cache: one token per audience, one fetch per lifetime, renewed before expiry,
/// shared by concurrent callers.
struct ServiceTokenSourceTests {
    @Test func cachesUntilEightyPercentOfTheLifetime() async throws {
        let fetches = Mutex(0)
        let time = ManualTime()
        let source = ServiceTokenSource(time: time.source) { _, _ in
            let count = fetches.withLock { value -> Int in
                value += 1
                return value
            }
            return ("token-\(count)", 100)
        }
        let logger = Logger(label: "test")
        #expect(try await source.token(for: "payment", logger: logger) == "token-1")
        time.advance(by: .seconds(79))
        #expect(try await source.token(for: "payment", logger: logger) == "token-1")
        time.advance(by: .seconds(2))
        #expect(try await source.token(for: "payment", logger: logger) == "token-2")
        source.invalidate(audience: "payment")
        #expect(try await source.token(for: "payment", logger: logger) == "token-3")
        #expect(fetches.withLock { $0 } == 3)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let fetches = Mutex(0)
        let source = ServiceTokenSource { _, _ in
            fetches.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(50))
            return ("shared", 300)
        }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await source.token(for: "payment", logger: Logger(label: "test")) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens == Array(repeating: "shared", count: 10))
        #expect(fetches.withLock { $0 } == 1)
    }

    @Test func aFailedFetchIsNotCached() async throws {
        let attempts = Mutex(0)
        let source = ServiceTokenSource { _, _ in
            let attempt = attempts.withLock { value -> Int in
                value += 1
                return value
            }
            if attempt == 1 { throw KeySetUnavailable(reason: "auth down") }
            return ("second", 300)
        }
        await #expect(throws: KeySetUnavailable.self) { try await source.token(for: "payment", logger: Logger(label: "test")) }
        #expect(try await source.token(for: "payment", logger: Logger(label: "test")) == "second")
    }

    @Test func eachAudienceHasItsOwnToken() async throws {
        let requested = Mutex<[String]>([])
        let source = ServiceTokenSource { audience, _ in
            requested.withLock { $0.append(audience) }
            return ("token-for-\(audience)", 300)
        }
        let logger = Logger(label: "test")
        #expect(try await source.token(for: "payment", logger: logger) == "token-for-payment")
        #expect(try await source.token(for: "product", logger: logger) == "token-for-product")
        #expect(try await source.token(for: "payment", logger: logger) == "token-for-payment")
        source.invalidate(audience: "product")
        #expect(try await source.token(for: "payment", logger: logger) == "token-for-payment")
        #expect(try await source.token(for: "product", logger: logger) == "token-for-product")
        #expect(requested.withLock { $0 } == ["payment", "product", "product"])
    }
}
