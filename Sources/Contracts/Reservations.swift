/// The state of an order's reservation on the product side.
public enum ReservationStatus: String, Codable, Sendable {
    /// Stock is held for the order until it is committed, released or expires.
    case reserved
    /// The sale is final; the stock is gone.
    case committed
    /// Stock went back (compensation, customer cancellation after commit, or a release that
    /// arrived before any reservation, which then blocks a late one).
    case released
    /// Not committed in time; the stock went back.
    case expired
    /// Some line could not be reserved; nothing was held.
    case rejected
}
