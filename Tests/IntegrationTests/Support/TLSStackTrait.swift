import AsyncHTTPClient
import Testing

/// The running ``TLSStack`` and an HTTPS client that trusts its authority.
struct TLSStackContext: Sendable {
    let stack: TLSStack
    let https: HTTPClient

    @TaskLocal static var current: TLSStackContext?

    /// The context of the suite marked `.tlsStack`, or a failed requirement.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> TLSStackContext {
        try #require(TLSStackContext.current, "no TLS stack: this test must run inside the suite marked .tlsStack", sourceLocation: sourceLocation)
    }
}

/// Starts one ``TLSStack`` around a whole suite and always stops it afterwards.
struct TLSStackTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let stack = try TLSStack()
        let http = HTTP()
        let https = try stack.tls.httpsClient()
        print("integration: TLS stack logs in \(stack.logDirectory.path)")
        var failure: (any Error)?
        do {
            try await stack.start(http: http, https: https)
            try await TLSStackContext.$current.withValue(TLSStackContext(stack: stack, https: https)) {
                try await function()
            }
        } catch {
            failure = error
        }
        await stack.stop()
        try? await https.shutdown()
        await http.shutdown()
        if let failure { throw failure }
    }
}

extension Trait where Self == TLSStackTrait {
    /// Runs the suite against auth and a gateway with every hop encrypted.
    static var tlsStack: Self { Self() }
}
