import Foundation
import Testing

@testable import PaymentService

/// An instant given in RFC 3339.
func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text))
}

struct CardExpiryTests {
    let card = CardExpiry(month: 12, year: 2030)

    @Test func validThroughTheLastInstantOfItsMonthUTC() throws {
        #expect(!self.card.isExpired(at: try instant("2030-12-01T00:00:00Z")))
        #expect(!self.card.isExpired(at: try instant("2030-12-31T23:59:59Z")))
        // Still December in UTC, though already January east of Greenwich.
        #expect(!self.card.isExpired(at: try instant("2031-01-01T05:00:00+09:00")))
        #expect(!self.card.isExpired(at: try instant("2019-06-15T12:00:00Z")))
    }

    @Test func expiredFromTheMonthAfter() throws {
        #expect(self.card.isExpired(at: try instant("2031-01-01T00:00:00Z")))
        #expect(self.card.isExpired(at: try instant("2031-07-01T00:00:00Z")))
        let june = CardExpiry(month: 6, year: 2030)
        #expect(!june.isExpired(at: try instant("2030-06-30T23:59:59Z")))
        #expect(june.isExpired(at: try instant("2030-07-01T00:00:00Z")))
    }

    @Test func whetherTheYearHasPassed() throws {
        #expect(!self.card.yearHasPassed(at: try instant("2030-12-31T00:00:00Z")))
        #expect(self.card.yearHasPassed(at: try instant("2031-01-01T00:00:00Z")))
    }
}
