import Contracts

/// What commit and release do to a reservation, by its status.
extension ReservationStatus {
    /// The effect of `shop.inventory.v1.Reservations/Commit`.
    enum CommitAction: Sendable, Equatable {
        /// Held stock becomes sold: `reserved` → `committed`.
        case commit
        /// Already committed: answer it as it is.
        case keep
        /// Held past its expiry: expire it now (stock goes back) and refuse.
        case expire
        /// Released, expired or rejected: nothing to commit, refuse.
        case refuse
    }

    /// The effect of `shop.inventory.v1.Reservations/Release`.
    enum ReleaseAction: Sendable, Equatable {
        /// Stock is held (``StockMovement/unhold``) or sold (``StockMovement/restock``): give
        /// every line back that way and mark it `released`.
        case giveBack(StockMovement)
        /// Nothing is held: answer it as it is.
        case keep
    }

    /// What commit does; `overdue` is whether the hold's expiry has passed.
    func commitAction(overdue: Bool) -> CommitAction {
        switch self {
        case .reserved: overdue ? .expire : .commit
        case .committed: .keep
        case .released, .expired, .rejected: .refuse
        }
    }

    /// What release does.
    var releaseAction: ReleaseAction {
        switch self {
        case .reserved: .giveBack(.unhold)
        case .committed: .giveBack(.restock)
        case .released, .expired, .rejected: .keep
        }
    }
}
