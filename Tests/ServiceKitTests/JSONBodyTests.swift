import Foundation
import ServiceKit
import Testing

/// Request bodies: a number an integer field cannot hold is a 422 naming that field, not a 400
/// "not valid JSON"; malformed JSON stays a 400.
struct JSONBodyTests {
    private struct Line: Decodable, Equatable {
        var productId: String
        var quantity: Int
    }

    private struct Order: Decodable, Equatable {
        var items: [Line]
        var note: String?
    }

    private struct Measured: Decodable, Equatable {
        var weight: Double
        var count: Int
    }

    /// The problem `body` gets when decoded as `type`; fails the test when it decodes.
    private func problem<Value: Decodable>(_ body: String, as type: Value.Type) -> ProblemError? {
        do {
            let value = try JSONBody.decode(Value.self, from: Data(body.utf8))
            Issue.record("decoded \(value) from \(body)")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (#"{"items":[{"productId":"a","quantity":1.5}]}"#, "items[0].quantity", "not a fraction"),
        (#"{"items":[{"productId":"a","quantity":2},{"productId":"b","quantity":0.5}]}"#, "items[1].quantity", "not a fraction"),
        (#"{"items":[{"productId":"a","quantity":1e30}]}"#, "items[0].quantity", "too large"),
        (#"{"items":[{"productId":"a","quantity":99999999999999999999}]}"#, "items[0].quantity", "too large"),
        (#"{"items":[{"productId":"a","quantity":-9223372036854775809}]}"#, "items[0].quantity", "too large"),
        (#"{"items":[{"productId":"a","quantity":9223372036854775808}]}"#, "items[0].quantity", "too large"),
    ])
    func aNumberThatFitsNoIntegerNamesItsField(body: String, field: String, message: String) throws {
        let problem = try #require(self.problem(body, as: Order.self))
        #expect(problem.status == .unprocessableContent, "\(problem)")
        #expect(problem.fieldErrors.map(\.field) == [field])
        #expect(problem.fieldErrors.first?.message.contains(message) == true, "\(problem.fieldErrors)")
    }

    @Test func aFractionInAFloatingPointFieldIsFineAndTheIntegerFieldIsNamed() throws {
        let problem = try #require(self.problem(#"{"weight":2.5,"count":3.5}"#, as: Measured.self))
        #expect(problem.status == .unprocessableContent)
        #expect(problem.fieldErrors.map(\.field) == ["count"])
        #expect(try JSONBody.decode(Measured.self, from: Data(#"{"weight":2.5,"count":3}"#.utf8)) == Measured(weight: 2.5, count: 3))
    }

    @Test func wholeNumbersWrittenWithAFractionOrExponentDecode() throws {
        let order = try JSONBody.decode(
            Order.self,
            from: Data(#"{"items":[{"productId":"a","quantity":2.0},{"productId":"b","quantity":1e3}]}"#.utf8)
        )
        #expect(order.items.map(\.quantity) == [2, 1_000])
    }

    @Test(arguments: [#"{"items": [ "#, "{", "nul", #"{"items":[{"productId":"a","quantity":1.}]}"#, "\u{FEFF}{]"])
    func malformedJSONIsABadRequest(body: String) throws {
        let problem = try #require(self.problem(body, as: Order.self))
        #expect(problem.status == .badRequest, "\(body): \(problem)")
    }

    @Test func emptyAndNonObjectBodiesAreBadRequests() throws {
        #expect(self.problem("", as: Order.self)?.status == .badRequest)
        #expect(self.problem("[1.5]", as: Order.self)?.status == .badRequest)
        #expect(self.problem("1.5", as: Order.self)?.status == .badRequest)
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() throws {
        let depth = 100_000
        let body = #"{"items":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let problem = try #require(self.problem(body, as: Order.self))
        #expect(problem.status == .badRequest || problem.status == .unprocessableContent, "\(problem)")
        let numbers = #"{"note":"x","items":"# + String(repeating: "[", count: 400) + "1.5" + String(repeating: "]", count: 400) + "}"
        let nested = try #require(self.problem(numbers, as: Order.self))
        #expect(nested.status == .badRequest || nested.status == .unprocessableContent, "\(nested)")
    }

    @Test func missingAndMistypedFieldsAreNamed() throws {
        #expect(self.problem(#"{"items":[{"productId":"a"}]}"#, as: Order.self)?.fieldErrors.map(\.field) == ["items[0].quantity"])
        #expect(self.problem(#"{"items":[{"productId":"a","quantity":"2"}]}"#, as: Order.self)?.fieldErrors.map(\.field) == ["items[0].quantity"])
        #expect(self.problem(#"{"items":[{"productId":"a","quantity":null}]}"#, as: Order.self)?.fieldErrors.map(\.field) == ["items[0].quantity"])
    }
}
