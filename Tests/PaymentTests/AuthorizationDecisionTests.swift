import Contracts
import Foundation
import Testing

@testable import PaymentService

struct AuthorizationDecisionTests {
    let owner = UUID()
    let amount = Money(amount: 4200, currency: "EUR")
    let now = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17 UTC

    func card(_ number: String, month: Int = 12, year: Int = 2030) throws -> SavedCard {
        SavedCard(id: UUID(), userId: self.owner, number: try CardNumber.parse(number).get(), expiry: CardExpiry(month: month, year: year))
    }

    func decide(_ card: SavedCard?, userId: UUID? = nil) -> AuthorizationDecision {
        AuthorizationDecision.decide(card: card, userId: userId ?? self.owner, amount: self.amount, at: self.now, processor: CardProcessor())
    }

    @Test func aMissingMethodIsDeclinedAsInvalid() {
        #expect(self.decide(nil) == .decline(.invalidPaymentMethod))
    }

    @Test func someoneElsesMethodIsDeclinedAsInvalid() throws {
        #expect(self.decide(try self.card("4242424242424242"), userId: UUID()) == .decline(.invalidPaymentMethod))
    }

    @Test func anExpiredCardIsDeclinedBeforeTheProcessorIsAsked() throws {
        #expect(self.decide(try self.card("4242424242424242", month: 2, year: 2030)) == .decline(.expiredCard))
        #expect(self.decide(try self.card("4000000000000119", month: 2, year: 2030)) == .decline(.expiredCard))
    }

    @Test func theProcessorDecidesTheRest() throws {
        #expect(self.decide(try self.card("4242424242424242")) == .authorize)
        #expect(self.decide(try self.card("4000000000000002")) == .decline(.cardDeclined))
        #expect(self.decide(try self.card("4000000000009995")) == .decline(.insufficientFunds))
        #expect(self.decide(try self.card("4000000000000119")) == .processorUnavailable)
    }
}
