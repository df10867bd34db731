import Foundation
import ServiceKit
import Testing

/// The problem document's JSON form.
struct ProblemDetailsTests {
    private func object(_ details: ProblemDetails) throws -> [String: Any] {
        let data = try JSONEncoder().encode(details)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func absentMembersAreOmitted() throws {
        let object = try self.object(ProblemDetails(type: "/problems/not-found", title: "Not found", status: 404, detail: "No such product."))
        #expect(Set(object.keys) == ["type", "title", "status", "detail"])
        #expect(object["status"] as? Int == 404)
    }

    @Test func extensionMembersAreWrittenAtTheTopLevel() throws {
        let details = ProblemDetails(
            type: "/problems/not-ready",
            title: "Not ready",
            status: 503,
            detail: "A dependency is down.",
            instance: "/health/ready",
            requestId: "r-1",
            errors: [.init(field: "postgres", message: "unreachable")],
            extensions: ["postgres": "down", "redis": "up"]
        )
        let object = try self.object(details)
        #expect(object["postgres"] as? String == "down")
        #expect(object["redis"] as? String == "up")
        #expect(object["extensions"] == nil)
        #expect(object["instance"] as? String == "/health/ready")
        #expect(object["requestId"] as? String == "r-1")
        #expect((object["errors"] as? [[String: String]])?.first == ["field": "postgres", "message": "unreachable"])
    }

    @Test func aProblemErrorBuildsItsDocument() {
        let details = ProblemError.validation([.init(field: "name", message: "is required")]).details(instance: "/v1/x", requestId: "r-2")
        #expect(details.type == "/problems/validation-error")
        #expect(details.status == 422)
        #expect(details.detail == "The request has 1 invalid field.")
        #expect(details.errors == [.init(field: "name", message: "is required")])
        #expect(details.instance == "/v1/x")
        #expect(details.requestId == "r-2")
    }

    @Test func methodNotAllowedListsTheAllowedMethods() {
        let error = ProblemError.methodNotAllowed(.patch, allowed: [.get, .delete])
        #expect(error.status == .methodNotAllowed)
        #expect(error.headers[.allow] == "GET, DELETE")
        #expect(error.detail.contains("PATCH"))
    }

    @Test func theInternalErrorSaysNothingAboutInternals() {
        let error = ProblemError.internalError
        #expect(error.status == .internalServerError)
        #expect(error.kind == "internal-error")
        #expect(error.fieldErrors.isEmpty)
    }
}
