import Foundation

/// The month a card expires: it is valid through the last instant of that month, UTC.
struct CardExpiry: Sendable, Hashable {
    /// 1 to 12.
    var month: Int
    /// Four digits.
    var year: Int

    static let months = 1...12
    static let years = 1000...9999

    /// Whether the card can no longer be used at `now`: true from the first instant (UTC) of
    /// the month after its expiry month.
    func isExpired(at now: Date) -> Bool {
        let today = Self.utcCalendar.dateComponents([.year, .month], from: now)
        guard let year = today.year, let month = today.month else { return true }
        return (year, month) > (self.year, self.month)
    }

    /// Whether the card's expiry year is already behind `now` (so the year, not the month, is wrong).
    func yearHasPassed(at now: Date) -> Bool {
        guard let year = Self.utcCalendar.dateComponents([.year], from: now).year else { return true }
        return self.year < year
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
