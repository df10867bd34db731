import Contracts
import Foundation
import Testing

@testable import NotificationService

struct NotificationTextTests {
    let orderID = UUID(uuidString: "1a2b3c4d-0000-4000-8000-000000000001") ?? UUID()
    let userID = UUID()

    @Test func welcomesTheUserByName() {
        let registered = UserRegistered(userId: self.userID, email: "alice@example.com", name: "Alice", registeredAt: Date())
        let text = NotificationText.welcome(registered)
        #expect(text.subject == "Welcome to swift-shop, Alice!")
        #expect(text.body.contains("Alice"))
        #expect(!text.body.contains("alice@example.com"))
    }

    @Test func confirmsTheOrderWithItsReferenceAndTotal() {
        let order = OrderEventPayload(orderId: self.orderID, userId: self.userID, total: Money(amount: 1999, currency: "USD"))
        let text = NotificationText.orderConfirmed(order)
        #expect(text.subject == "Your order 1A2B3C4D is confirmed")
        #expect(text.body.contains("1A2B3C4D"))
        #expect(text.body.contains("19.99 USD"))
    }

    @Test(arguments: [
        ("out_of_stock", "out of stock"),
        ("payment_declined", "payment was declined"),
        ("payment_failed", "payment could not be processed"),
        ("deadline_exceeded", "did not complete in time"),
        ("customer_request", "you asked us to cancel it"),
        ("warehouse_flooded", "because warehouse flooded"),
    ])
    func explainsACancellationInWords(reason: String, words: String) {
        let order = OrderEventPayload(orderId: self.orderID, userId: self.userID, total: Money(amount: 500, currency: "EUR"), reason: reason)
        let text = NotificationText.orderCancelled(order)
        #expect(text.subject == "Your order 1A2B3C4D was cancelled")
        #expect(text.body.contains(words))
        #expect(text.body.contains("5.00 EUR"))
        #expect(!text.body.contains("_"))
    }

    @Test func cancellationWithoutAReasonSaysSo() {
        let order = OrderEventPayload(orderId: self.orderID, userId: self.userID, total: Money(amount: 500, currency: "EUR"))
        #expect(NotificationText.orderCancelled(order).body == "Your order 1A2B3C4D for 5.00 EUR was cancelled.")
    }

    @Test(arguments: [
        ("card_declined", "card issuer declined it"),
        ("insufficient_funds", "insufficient funds"),
        ("invalid_payment_method", "payment method is not valid"),
        ("expired_card", "card has expired"),
        ("fraud_suspected", "fraud suspected"),
    ])
    func explainsADeclinedPayment(reason: String, words: String) {
        let payment = PaymentEventPayload(
            paymentId: UUID(),
            orderId: self.orderID,
            userId: self.userID,
            amount: Money(amount: 250_000, currency: "JPY"),
            declineReason: reason
        )
        let text = NotificationText.paymentDeclined(payment)
        #expect(text.subject == "Your payment for order 1A2B3C4D was declined")
        #expect(text.body.contains(words))
        #expect(text.body.contains("250,000 JPY"))
    }

    @Test func formatsMoneyFromMinorUnits() {
        #expect(Money(amount: 1999, currency: "USD").displayText == "19.99 USD")
        #expect(Money(amount: 5, currency: "USD").displayText == "0.05 USD")
        #expect(Money(amount: 0, currency: "EUR").displayText == "0.00 EUR")
        #expect(Money(amount: 123_456_789, currency: "GBP").displayText == "1,234,567.89 GBP")
        #expect(Money(amount: 1500, currency: "JPY").displayText == "1,500 JPY")
        #expect(Money(amount: 12_345, currency: "KWD").displayText == "12.345 KWD")
        #expect(Money(amount: -250, currency: "USD").displayText == "-2.50 USD")
    }
}
