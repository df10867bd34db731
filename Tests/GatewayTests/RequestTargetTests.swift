import Foundation
import Testing

@testable import GatewayService

/// The gateway refuses targets that could leave their prefix once an upstream normalises them.
struct RequestTargetTests {
    @Test(arguments: [
        "/v1/products", "/v1/products/42", "/v1/products?q=..", "/v1/products?q=%2e%2e", "/", "/v1/a.b/c", "/v1/...",
        "/v1/products/%41", "/v1/x%2", "/v1/x%",
    ])
    func acceptsOrdinaryTargets(_ target: String) {
        #expect(RequestTarget.isSafe(target))
    }

    @Test(arguments: [
        "", "v1/products", "?/v1", "/v1/../internal", "/v1/./x", "/v1/..", "/..", "/.", "/v1//internal", "//v1",
        "/v1/%2e%2e/internal", "/v1/%2E%2E/internal", "/v1/%2f", "/v1/%2F", "/v1/%5c", "/v1/%5C", "/v1\\..\\internal",
        "/v1/products/..?q=1",
    ])
    func refusesTargetsThatCouldClimb(_ target: String) {
        #expect(!RequestTarget.isSafe(target))
    }

    /// The byte scanner agrees with the plain definition on random targets built from the
    /// characters that matter.
    @Test func agreesWithThePlainDefinition() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = ["/", ".", "%", "2", "e", "E", "f", "F", "5", "c", "C", "\\", "a", "?", "é"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...10, using: &generator)
            let target = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" }.joined()
            #expect(RequestTarget.isSafe(target) == Self.plainIsSafe(target), "\(target)")
        }
    }

    /// The definition: no `.` or `..` segment, no encoded dot, slash or backslash, no
    /// backslash, no empty segment, before the query.
    private static func plainIsSafe(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path.hasPrefix("/") else { return false }
        let lowered = path.lowercased()
        for marker in ["%2e", "%2f", "%5c", "\\", "//"] where lowered.contains(marker) { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }
}
