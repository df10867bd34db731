/// A permission a service token carries: one family of internal operations of one service.
///
/// Every internal gRPC method names the scope it requires; auth's grant table says which caller
/// may obtain which scopes for which callee. The names are `resource.action`.
public struct ServiceScope: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { self.rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    // MARK: auth

    /// `shop.auth.v1.Accounts/GetAccount`: read an account as `user.registered` describes it.
    public static let accountsRead = Self(rawValue: "accounts.read")

    // MARK: user

    /// `shop.user.v1.Profiles/CreateProfile`: create a profile from an account (a repair tool).
    public static let profilesCreate = Self(rawValue: "profiles.create")

    // MARK: product

    /// `shop.catalog.v1.ProductLookup/LookupProducts`: prices and names of products.
    public static let productsLookup = Self(rawValue: "products.lookup")
    /// `shop.inventory.v1.Reservations` `Reserve`, `Commit`, `Release`: hold,
    /// sell or give back stock for an order.
    public static let reservationsWrite = Self(rawValue: "reservations.write")

    // MARK: payment

    /// `shop.payment.v1.Payments/Authorize`: hold money on a saved card.
    public static let paymentsAuthorize = Self(rawValue: "payments.authorize")
    /// `shop.payment.v1.Payments/Capture`: take the held money.
    public static let paymentsCapture = Self(rawValue: "payments.capture")
    /// `shop.payment.v1.Payments/Cancel`: void an authorization or refund a capture.
    public static let paymentsCancel = Self(rawValue: "payments.cancel")
    /// `shop.payment.v1.Payments/CheckPaymentMethod`: whether a saved card exists and is the user's.
    public static let paymentMethodsRead = Self(rawValue: "payment-methods.read")

    // MARK: every service

    /// The gateway vouches for the client address it forwards (no route; checked by the
    /// services that read that header).
    public static let clientAddressAssert = Self(rawValue: "client-address.assert")
}
