import Foundation
import Hummingbird
import HummingbirdCore
import ServiceKit
import Testing

/// Cursors, `?limit=` validation and the page document.
struct PaginationTests {
    private struct Position: Codable, Equatable {
        var createdAt: Int
        var id: String
    }

    private struct Item: Codable, Sendable, Equatable {
        var id: Int
    }

    @Test func aCursorRoundTripsAndIsURLSafe() throws {
        // Characters chosen so that plain base64 would contain "+", "/" and "=" padding.
        let position = Position(createdAt: 1_700_000_000, id: "ÿ?>~ü")
        let cursor = try #require(Cursor.encode(position))
        #expect(!cursor.contains { "+/=".contains($0) })
        #expect(Cursor.decode(cursor, as: Position.self) == position)
    }

    @Test(arguments: 0..<8)
    func cursorsOfEveryPaddingLengthRoundTrip(length: Int) throws {
        let position = Position(createdAt: length, id: String(repeating: "?", count: length))
        let cursor = try #require(Cursor.encode(position))
        #expect(Cursor.decode(cursor, as: Position.self) == position)
    }

    @Test(arguments: ["", "!!!not a cursor!!!", "aGVsbG8", "eyJpZCI6M30", "%%%", "a"])
    func aForeignCursorDecodesToNil(cursor: String) {
        #expect(Cursor.decode(cursor, as: Position.self) == nil)
    }

    private func pageRequest(_ uri: String) -> (PageRequest, [ProblemDetails.FieldError]) {
        var validator = Validator()
        let request = PageRequest(uri: URI(uri), validator: &validator)
        return (request, validator.errors)
    }

    @Test func theDefaultPage() {
        let (request, errors) = self.pageRequest("/v1/products")
        #expect(request.limit == 20)
        #expect(request.cursor == nil)
        #expect(errors.isEmpty)
    }

    @Test(arguments: [1, 50, 100])
    func aLimitInRangeIsUsed(limit: Int) {
        let (request, errors) = self.pageRequest("/v1/products?limit=\(limit)&cursor=abc_DEF-1")
        #expect(request.limit == limit)
        #expect(request.cursor == "abc_DEF-1")
        #expect(errors.isEmpty)
    }

    @Test(arguments: ["0", "101", "abc", "-1", "1.5", ""])
    func aLimitOutOfRangeIsAFieldError(limit: String) throws {
        let (request, errors) = self.pageRequest("/v1/products?limit=\(limit)")
        #expect(request.limit == 20)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.field == "limit")
        #expect(error.message.contains("100"))
    }

    @Test func aPageEncodesNextCursorAsNullOnTheLastPage() throws {
        let data = try JSONEncoder().encode(Page(items: [Item(id: 1), Item(id: 2)], nextCursor: nil))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["nextCursor"] is NSNull)
        #expect((object["items"] as? [[String: Any]])?.count == 2)
        #expect(String(decoding: data, as: UTF8.self).contains("\"nextCursor\":null"))
    }

    @Test func aPageRoundTripsWithACursor() throws {
        let page = Page(items: [Item(id: 3)], nextCursor: "next")
        let decoded = try JSONDecoder().decode(Page<Item>.self, from: try JSONEncoder().encode(page))
        #expect(decoded.items == [Item(id: 3)])
        #expect(decoded.nextCursor == "next")
    }
}
