import Foundation
import Testing

@testable import ServiceKit

/// Request ids are version 4 UUIDs in the canonical lowercase form, and differ.
struct UUIDv4Tests {
    @Test func isACanonicalLowercaseVersion4UUID() throws {
        for _ in 0..<1_000 {
            let text = UUIDv4.string()
            #expect(text.utf8.count == 36)
            #expect(text == text.lowercased())
            let parsed = try #require(UUID(uuidString: text))
            #expect(parsed.uuidString.lowercased() == text)
            let bytes = parsed.uuid
            #expect(bytes.6 >> 4 == 4, "version")
            #expect(bytes.8 >> 6 == 0b10, "variant")
        }
    }

    @Test func formatsEveryNibbleInPlace() {
        #expect(
            UUIDv4.format(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210) == "01234567-89ab-cdef-fedc-ba9876543210"
        )
    }

    @Test func repeatsNone() {
        let ids = Set((0..<10_000).map { _ in UUIDv4.string() })
        #expect(ids.count == 10_000)
    }
}
