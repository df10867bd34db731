import Foundation

/// `POST /internal/reservations` (product): reserve stock for every line of an order, or none.
///
/// Idempotent per `orderId`: a second request for the same order answers the reservation as it
/// is now, whatever it asks.
public struct ReservationRequest: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var productId: UUID
        public var quantity: Int

        public init(productId: UUID, quantity: Int) {
            self.productId = productId
            self.quantity = quantity
        }
    }

    public var orderId: UUID
    public var lines: [Line]

    /// The most lines one reservation may have (an order's most lines).
    public static let maximumLines = 50

    public init(orderId: UUID, lines: [Line]) {
        self.orderId = orderId
        self.lines = lines
    }
}

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

/// The answer of every reservation endpoint: 200 (or 201 when just created) with this body.
public struct ReservationResult: Codable, Sendable, Equatable {
    public var orderId: UUID
    public var status: ReservationStatus
    /// The product ids that lacked stock, were archived or unknown, when `rejected`.
    public var unavailable: [UUID]

    public init(orderId: UUID, status: ReservationStatus, unavailable: [UUID] = []) {
        self.orderId = orderId
        self.status = status
        self.unavailable = unavailable
    }
}

/// `POST /internal/products/lookup` (product): the orderable facts of some products.
public struct ProductLookupRequest: Codable, Sendable, Equatable {
    public var ids: [UUID]

    /// The most ids one lookup may ask for.
    public static let maximumIDs = 100

    public init(ids: [UUID]) {
        self.ids = ids
    }
}

/// One product in a lookup answer; unknown ids are simply absent.
public struct ProductFacts: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var price: Money
    /// Archived products cannot be ordered.
    public var archived: Bool

    public init(id: UUID, name: String, price: Money, archived: Bool) {
        self.id = id
        self.name = name
        self.price = price
        self.archived = archived
    }
}

/// `{ "items": [...] }` of a lookup.
public struct ProductLookupResult: Codable, Sendable, Equatable {
    public var items: [ProductFacts]

    public init(items: [ProductFacts]) {
        self.items = items
    }
}
