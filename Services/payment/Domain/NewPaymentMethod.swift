import Foundation
import ServiceKit

/// `POST /v1/payments/methods`: a card as the customer typed it.
///
/// It holds the card number and the cvc, so it prints as redacted and is never stored whole:
/// ``validated(at:)`` keeps what may be saved and drops the cvc.
struct NewPaymentMethod: Decodable, Sendable {
    var cardNumber: String
    var expMonth: Int
    var expYear: Int
    var cvc: String
    var holderName: String?

    static let holderNameLimit = 100

    /// The card to save, or one 422 naming every invalid field. `now` decides whether the card
    /// has expired.
    func validated(at now: Date) throws -> CardDetails {
        var validator = Validator()
        let number = CardNumber.parse(self.cardNumber)
        if case .failure(let problem) = number {
            validator.check(false, "cardNumber", Self.message(for: problem))
        }
        let monthIsValid = CardExpiry.months.contains(self.expMonth)
        let yearIsValid = CardExpiry.years.contains(self.expYear)
        validator.check(monthIsValid, "expMonth", "must be a month from 1 to 12")
        validator.check(yearIsValid, "expYear", "must be a four-digit year")
        let expiry = CardExpiry(month: self.expMonth, year: self.expYear)
        if monthIsValid, yearIsValid, expiry.isExpired(at: now) {
            // Name the field that is wrong: a past year, or a past month of this year.
            let field = expiry.yearHasPassed(at: now) ? "expYear" : "expMonth"
            validator.check(false, field, "is in the past: the card has expired")
        }
        validator.check(Self.isCardVerificationCode(self.cvc), "cvc", "must be 3 or 4 digits")
        let holderName = self.holderName?.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in Unicode scalars, as the database's char_length counts.
        validator.check(
            (holderName?.unicodeScalars.count ?? 0) <= Self.holderNameLimit,
            "holderName",
            "must be at most \(Self.holderNameLimit) characters"
        )
        try validator.validate()
        // Every check passed, so the number parsed.
        return CardDetails(number: try number.get(), expiry: expiry, holderName: holderName?.isEmpty == true ? nil : holderName)
    }

    static func message(for problem: CardNumber.Problem) -> String {
        switch problem {
        case .invalidCharacters: "must contain only digits, spaces and dashes"
        case .wrongLength: "must have \(CardNumber.lengths.lowerBound) to \(CardNumber.lengths.upperBound) digits"
        case .failsChecksum: "is not a valid card number"
        }
    }

    /// Three or four ASCII digits.
    static func isCardVerificationCode(_ text: String) -> Bool {
        (3...4).contains(text.utf8.count) && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension NewPaymentMethod: CustomStringConvertible, CustomReflectable {
    var description: String { "NewPaymentMethod(redacted)" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A card that passed validation: what is saved (the number encrypted). The cvc is not here.
struct CardDetails: Sendable, Equatable {
    var number: CardNumber
    var expiry: CardExpiry
    var holderName: String?
}
