import Contracts
import Foundation
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing

/// ``InputBounds`` and the check ``Request/decodeJSON(as:context:)`` makes with it.
struct InputBoundsTests {
    private struct Line: BoundedInput {
        var note: String

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.note, "note", max: 3)
        }
    }

    private struct Body: BoundedInput {
        var title: String?
        var tags: [String]
        var lines: [Line]
        var cover: Line?

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.title, "title", max: 5)
            bounds.array(self.tags, "tags", max: 2)
            bounds.elements(self.lines, "lines", max: 3)
            bounds.nested(self.cover, "cover")
        }
    }

    private func errors(_ body: Body) -> [ProblemDetails.FieldError] {
        var bounds = InputBounds()
        body.checkBounds(&bounds)
        return bounds.errors
    }

    @Test func valuesAtTheirMaximumsPass() throws {
        let body = Body(title: "abcde", tags: ["a", "b"], lines: [Line(note: "abc")], cover: Line(note: "xyz"))
        #expect(self.errors(body).isEmpty)
        try body.validateBounds()
        #expect(self.errors(Body(title: nil, tags: [], lines: [], cover: nil)).isEmpty)
    }

    @Test func everyFieldOverItsMaximumIsNamedWithItsPath() {
        let body = Body(
            title: "abcdef",
            tags: ["a", "b", "c"],
            lines: [Line(note: "ok"), Line(note: "long")],
            cover: Line(note: "long")
        )
        #expect(
            self.errors(body) == [
                .init(field: "title", message: "must be at most 5 characters"),
                .init(field: "tags", message: "must have at most 2 entries"),
                .init(field: "lines[1].note", message: "must be at most 3 characters"),
                .init(field: "cover.note", message: "must be at most 3 characters"),
            ]
        )
    }

    @Test func anArrayOverItsMaximumIsOneErrorWithoutLookingAtItsElements() {
        let body = Body(title: nil, tags: [], lines: Array(repeating: Line(note: "far too long"), count: 4), cover: nil)
        #expect(self.errors(body) == [.init(field: "lines", message: "must have at most 3 entries")])
    }

    @Test func stringsAreMeasuredInCodePointsNotGraphemes() {
        // One grapheme cluster: "e" and six combining acute accents, seven code points.
        let stacked = "e" + String(repeating: "\u{301}", count: 6)
        #expect(stacked.count == 1)
        #expect(self.errors(Body(title: stacked, tags: [], lines: [], cover: nil)).map(\.field) == ["title"])
        // Four code points outside the BMP are four, not eight (UTF-16) or sixteen (UTF-8).
        #expect(self.errors(Body(title: "😀😀😀😀", tags: [], lines: [], cover: nil)).isEmpty)
    }

    @Test func validateBoundsThrowsOne422() throws {
        let body = Body(title: "abcdef", tags: [], lines: [], cover: nil)
        #expect {
            try body.validateBounds()
        } throws: { error in
            guard let problem = error as? ProblemError else { return false }
            return problem.status == .unprocessableContent
        }
    }

    @Test func contractTypesCarryTheirBounds() {
        var bounds = InputBounds()
        UserRegistered(userId: UUID(), email: String(repeating: "a", count: 255), name: "n", registeredAt: Date()).checkBounds(&bounds)
        Money(amount: 1, currency: "DOLLARS").checkBounds(&bounds)
        #expect(bounds.errors.map(\.field) == ["email", "currency"])
    }

    @Test func aDecodedBodyOverABoundIsA422NamingTheField() async throws {
        let stacked = "w" + String(repeating: "\u{301}", count: TestService.NewWidget.nameLimit)
        try await TestService.application(logger: LogCapture().logger(label: "test-service")).test(.router) { client in
            let body = ByteBuffer(string: #"{"name":"\#(stacked)","quantity":1}"#)
            try await client.execute(uri: "/v1/widgets", method: .post, body: body) { response in
                let problem = try response.problem(
                    status: .unprocessableContent,
                    type: "/problems/validation-error",
                    title: "Validation failed",
                    instance: "/v1/widgets"
                )
                #expect(problem.errors == [.init(field: "name", message: "must be at most \(TestService.NewWidget.nameLimit) characters")])
            }
        }
    }
}
