import Contracts
import Foundation
import ServiceKit
import Testing

@testable import ProductService

struct ProductLookupTests {
    @Test func idsAreDeduplicatedInOrder() throws {
        let (first, second) = (UUID(), UUID())
        #expect(try ProductLookupController.ids(of: ProductLookupRequest(ids: [first, second, first])) == [first, second])
        #expect(try ProductLookupController.ids(of: ProductLookupRequest(ids: [])) == [])
    }

    @Test func atMostOneHundredIds() throws {
        let hundred = (0..<100).map { _ in UUID() }
        #expect(try ProductLookupController.ids(of: ProductLookupRequest(ids: hundred)).count == 100)
        let error = #expect(throws: ProblemError.self) {
            try ProductLookupController.ids(of: ProductLookupRequest(ids: hundred + [UUID()]))
        }
        #expect(error?.status == .unprocessableContent)
        #expect(error?.fieldErrors.map(\.field) == ["ids"])
    }
}
