import Contracts
import Testing

@testable import PaymentService

struct CardProcessorTests {
    let processor = CardProcessor()
    let amount = Money(amount: 1999, currency: "USD")

    @Test(arguments: [
        ("4242424242424242", CardProcessor.Decision.approved),
        ("4000000000000002", .declined(.cardDeclined)),
        ("4000000000009995", .declined(.insufficientFunds)),
        ("4000000000000119", .unavailable),
        ("5555555555554444", .approved),
        ("378282246310005", .approved),
    ])
    func decidesByTheCardNumber(_ number: String, _ decision: CardProcessor.Decision) throws {
        let card = try CardNumber.parse(number).get()
        #expect(self.processor.authorize(self.amount, on: card) == decision)
    }

    @Test func theOutageCardFailsEveryTime() throws {
        let card = try CardNumber.parse("4000 0000 0000 0119").get()
        for _ in 0..<5 { #expect(self.processor.authorize(self.amount, on: card) == .unavailable) }
    }
}
