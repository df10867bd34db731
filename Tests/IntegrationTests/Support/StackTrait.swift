import Foundation
import Testing

/// Starts one `Stack` around a whole suite, hands it to the tests through `Stack.current`,
/// and always stops it afterwards.
struct StackTrait: SuiteTrait, TestScoping {
    /// Once around the suite, not once per test.
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let stack = try await Stack.start()
        do {
            try await Stack.$current.withValue(stack) {
                try await function()
            }
        } catch {
            print("integration: suite failed (\(error)); service logs in \(stack.logDirectory.path)")
            await stack.stop()
            throw error
        }
        await stack.stop()
    }
}

extension Trait where Self == StackTrait {
    /// Runs the suite against one shared stack of the real executables.
    static var sharedStack: Self { Self() }
}

extension Stack {
    /// The running stack, or a failed requirement explaining why there is none.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> Stack {
        try #require(Stack.current, "no stack: this test must run inside the suite marked .sharedStack", sourceLocation: sourceLocation)
    }
}
