import Foundation
import GRPCCore
import Testing

@testable import ProductService

struct ProductLookupTests {
    @Test func idsAreDeduplicatedInOrder() throws {
        let (first, second) = (UUID(), UUID())
        #expect(try ProductLookupRPC.ids(of: [first, second, first].map(\.uuidString)) == [first, second])
        #expect(try ProductLookupRPC.ids(of: []) == [])
    }

    @Test func atMostOneHundredIds() throws {
        let hundred = (0..<100).map { _ in UUID().uuidString }
        #expect(try ProductLookupRPC.ids(of: hundred).count == 100)
        let error = #expect(throws: RPCError.self) { try ProductLookupRPC.ids(of: hundred + [UUID().uuidString]) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func anIdThatIsNotAUUIDIsInvalid() {
        let error = #expect(throws: RPCError.self) { try ProductLookupRPC.ids(of: [UUID().uuidString, "1 OR 1=1"]) }
        #expect(error?.code == .invalidArgument)
    }
}
