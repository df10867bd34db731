import ServiceKit

extension NewPaymentMethod: BoundedInput {
    /// The longest card number text: 19 digits with room for the spaces and dashes people type.
    static let cardNumberLimit = 40
    /// A cvc is 3 or 4 digits.
    static let cvcLimit = 4

    /// The documented maximums, in Unicode code points (see ``InputBounds``); the OpenAPI
    /// document's `maxLength`s. Messages never repeat the card data.
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.cardNumber, "cardNumber", max: Self.cardNumberLimit)
        bounds.string(self.cvc, "cvc", max: Self.cvcLimit)
        bounds.string(self.holderName, "holderName", max: Self.holderNameLimit)
    }
}
