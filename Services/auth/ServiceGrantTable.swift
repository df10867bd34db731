import Contracts

/// Which calling service may obtain which scopes for which callee: the whole of what one
/// service may do to another. Auth issues a service token only for a (caller, audience) pair
/// listed here, carrying exactly the listed scopes. A client's id is its service's name.
///
/// Kept in code, reviewed like code: widening what a service may do is a change to this table
/// (and to the matrix in `docs/security.md`, which the integration suite checks route by route).
struct ServiceGrantTable: Sendable {
    private let grants: [String: [String: Set<ServiceScope>]]

    init(_ grants: [String: [String: Set<ServiceScope>]]) {
        self.grants = grants
    }

    /// The scopes `client` may carry to `audience`, sorted; `nil` when it may not call it at all.
    func scopes(client: String, audience: String) -> [ServiceScope]? {
        guard let scopes = self.grants[client]?[audience], !scopes.isEmpty else { return nil }
        return scopes.sorted()
    }

    /// The shop's grants.
    ///
    /// - user reads accounts from auth when a profile is asked for before `user.registered`
    ///   arrived.
    /// - order looks up products and holds, sells and gives back stock at product, and
    ///   authorizes, captures and cancels payments and checks saved cards at payment.
    /// - the gateway calls no internal route: it only vouches for the client address it
    ///   forwards to every service.
    /// - auth, product, payment and notification call no other service's internal routes, so
    ///   they get no service token at all (notification, which fetches URLs that customers
    ///   choose, can neither move money nor stock).
    static let standard = ServiceGrantTable([
        ServiceName.user: [ServiceName.auth: [.accountsRead]],
        ServiceName.order: [
            ServiceName.product: [.productsLookup, .reservationsWrite],
            ServiceName.payment: [.paymentsAuthorize, .paymentsCapture, .paymentsCancel, .paymentMethodsRead],
        ],
        ServiceName.gateway: Dictionary(
            uniqueKeysWithValues: [
                ServiceName.auth, ServiceName.user, ServiceName.product, ServiceName.order, ServiceName.payment,
                ServiceName.notification,
            ].map { ($0, [ServiceScope.clientAddressAssert]) }
        ),
    ])
}
