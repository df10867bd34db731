import Contracts

// The bounds of the shared contract types that arrive as request bodies (money inside public
// ones, an account's registration). They are declared here, next to the protocol, so that no service
// has to conform a type it does not own to a protocol it does not own.

extension Money: BoundedInput {
    public func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.currency, "currency", max: Self.currencyCodeLength)
    }
}

extension UserRegistered: BoundedInput {
    public func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.email, "email", max: Self.maximumEmailLength)
        bounds.string(self.name, "name", max: Self.maximumNameLength)
    }
}
