import Foundation
import ServiceKit
import Testing

@testable import PaymentService

struct NewPaymentMethodTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17 UTC

    func input(
        cardNumber: String = "4242 4242 4242 4242",
        expMonth: Int = 3,
        expYear: Int = 2030,
        cvc: String = "123",
        holderName: String? = nil
    ) -> NewPaymentMethod {
        NewPaymentMethod(cardNumber: cardNumber, expMonth: expMonth, expYear: expYear, cvc: cvc, holderName: holderName)
    }

    /// The fields a validation failure names.
    func invalidFields(_ input: NewPaymentMethod) -> [String] {
        do {
            _ = try input.validated(at: Self.now)
            return []
        } catch let problem as ProblemError {
            #expect(problem.status == .unprocessableContent)
            return problem.fieldErrors.map(\.field)
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func aValidCardKeepsNumberExpiryAndHolder() throws {
        let card = try self.input(holderName: "  Ada Lovelace ").validated(at: Self.now)
        #expect(card.number.digits == "4242424242424242")
        #expect(card.expiry == CardExpiry(month: 3, year: 2030))
        #expect(card.holderName == "Ada Lovelace")
    }

    @Test func aBlankHolderNameIsNone() throws {
        #expect(try self.input(holderName: "   ").validated(at: Self.now).holderName == nil)
    }

    @Test(arguments: ["4242-4242-4242-4241", "4242 4242 424", "4242x4242424242424", "42424242424242424242"])
    func aBadCardNumberNamesCardNumber(_ number: String) {
        #expect(self.invalidFields(self.input(cardNumber: number)) == ["cardNumber"])
    }

    @Test(arguments: [0, 13, -1])
    func aBadMonthNamesExpMonth(_ month: Int) {
        #expect(self.invalidFields(self.input(expMonth: month)) == ["expMonth"])
    }

    @Test(arguments: [30, 999, 10_000])
    func aYearOfOtherThanFourDigitsNamesExpYear(_ year: Int) {
        #expect(self.invalidFields(self.input(expYear: year)) == ["expYear"])
    }

    @Test func anExpiredCardNamesTheFieldThatIsPast() {
        #expect(self.invalidFields(self.input(expMonth: 2, expYear: 2030)) == ["expMonth"])
        #expect(self.invalidFields(self.input(expMonth: 12, expYear: 2029)) == ["expYear"])
        #expect(self.invalidFields(self.input(expMonth: 3, expYear: 2030)).isEmpty)
    }

    @Test(arguments: ["12", "12345", "12a", "", " 123", "١٢٣"])
    func aBadCvcNamesCvc(_ cvc: String) {
        #expect(self.invalidFields(self.input(cvc: cvc)) == ["cvc"])
    }

    @Test func aFourDigitCvcIsAccepted() {
        #expect(self.invalidFields(self.input(cvc: "0123")).isEmpty)
    }

    @Test func aHolderNameOfMoreThanAHundredCharactersNamesHolderName() {
        #expect(self.invalidFields(self.input(holderName: String(repeating: "a", count: 100))).isEmpty)
        #expect(self.invalidFields(self.input(holderName: String(repeating: "a", count: 101))) == ["holderName"])
    }

    @Test func everyInvalidFieldIsNamedAtOnce() {
        let fields = self.invalidFields(
            self.input(cardNumber: "1", expMonth: 0, expYear: 1, cvc: "x", holderName: String(repeating: "b", count: 200))
        )
        #expect(fields == ["cardNumber", "expMonth", "expYear", "cvc", "holderName"])
    }

    @Test func noMessageRepeatsTheCardNumberOrCvc() {
        do {
            _ = try self.input(cardNumber: "4242424242424241", cvc: "98765").validated(at: Self.now)
            Issue.record("expected a validation failure")
        } catch let problem as ProblemError {
            let text = problem.fieldErrors.map(\.message).joined() + problem.detail
            #expect(!text.contains("4242424242424241"))
            #expect(!text.contains("98765"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func theRequestPrintsRedacted() {
        let text = "\(self.input(cardNumber: "4242424242424242", cvc: "987"))"
        #expect(!text.contains("4242"))
        #expect(!text.contains("987"))
    }

    @Test func decodesTheDocumentedBody() throws {
        let body = Data(#"{"cardNumber":"4242424242424242","expMonth":12,"expYear":2030,"cvc":"123","extra":true}"#.utf8)
        let input = try WireJSON.decoder().decode(NewPaymentMethod.self, from: body)
        #expect(input.expMonth == 12)
        #expect(input.holderName == nil)
    }
}
