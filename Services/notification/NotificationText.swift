import Contracts
import Foundation

/// The words of a notification: a one-line subject and a body, written for the customer.
struct NotificationText: Sendable, Equatable {
    var subject: String
    var body: String

    /// The welcome after `user.registered`.
    static func welcome(_ registered: UserRegistered) -> Self {
        let name = registered.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let greeting = name.isEmpty ? "Welcome to swift-shop!" : "Welcome to swift-shop, \(name)!"
        return Self(
            subject: greeting,
            body: "\(greeting) Your account is ready: browse the catalogue and place your first order whenever you like."
        )
    }

    /// `order.confirmed`: the order is paid and on its way.
    static func orderConfirmed(_ order: OrderEventPayload) -> Self {
        let reference = Self.reference(of: order.orderId)
        return Self(
            subject: "Your order \(reference) is confirmed",
            body: "Thank you! Your order \(reference) for \(order.total.displayText) is confirmed and your payment has been taken."
        )
    }

    /// `order.cancelled`, with its reason in words.
    static func orderCancelled(_ order: OrderEventPayload) -> Self {
        let reference = Self.reference(of: order.orderId)
        let because = order.reason.map { " because \(Self.cancellationReason($0))" } ?? ""
        return Self(
            subject: "Your order \(reference) was cancelled",
            body: "Your order \(reference) for \(order.total.displayText) was cancelled\(because)."
        )
    }

    /// `payment.declined`, with the decline reason in words.
    static func paymentDeclined(_ payment: PaymentEventPayload) -> Self {
        let reference = Self.reference(of: payment.orderId)
        let because = payment.declineReason.map { ": \(Self.declineReason($0))" } ?? ""
        return Self(
            subject: "Your payment for order \(reference) was declined",
            body: "Your payment of \(payment.amount.displayText) for order \(reference) was declined\(because). "
                + "Please try again with another payment method."
        )
    }

    /// The short order reference customers see: the first eight characters of its id, upper case.
    static func reference(of orderID: UUID) -> String {
        String(orderID.uuidString.prefix(8)).uppercased()
    }

    /// An `order.cancelled` reason as the end of "was cancelled because …".
    static func cancellationReason(_ reason: String) -> String {
        switch reason {
        case "out_of_stock": "an item in it is out of stock"
        case "payment_declined": "the payment was declined"
        case "payment_failed": "the payment could not be processed"
        case "deadline_exceeded": "checkout did not complete in time"
        case "customer_request": "you asked us to cancel it"
        default: Self.words(reason)
        }
    }

    /// A `payment.declined` reason in words.
    static func declineReason(_ reason: String) -> String {
        switch reason {
        case "card_declined": "the card issuer declined it"
        case "insufficient_funds": "the card has insufficient funds"
        case "invalid_payment_method": "the payment method is not valid"
        case "expired_card": "the card has expired"
        default: Self.words(reason)
        }
    }

    /// A reason code this service does not know, readable anyway (`some_reason` → "some reason").
    private static func words(_ code: String) -> String {
        code.replacingOccurrences(of: "_", with: " ").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
