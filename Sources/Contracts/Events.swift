import Foundation

/// The event types on the bus and their payloads (version 1). `docs/events.md` lists who
/// produces and who consumes each.
public enum EventType {
    public static let userRegistered = "user.registered"
    public static let userUpdated = "user.updated"
    public static let productCreated = "product.created"
    public static let inventoryChanged = "inventory.changed"
    public static let orderPlaced = "order.placed"
    public static let orderConfirmed = "order.confirmed"
    public static let orderCancelled = "order.cancelled"
    public static let paymentAuthorized = "payment.authorized"
    public static let paymentCaptured = "payment.captured"
    public static let paymentDeclined = "payment.declined"
    public static let paymentRefunded = "payment.refunded"
}

/// `user.updated`: a profile's name changed (contact details are not broadcast).
public struct UserUpdated: Codable, Sendable, Equatable {
    public var userId: UUID
    public var name: String

    public init(userId: UUID, name: String) {
        self.userId = userId
        self.name = name
    }
}

/// `product.created`.
public struct ProductCreated: Codable, Sendable, Equatable {
    public var productId: UUID
    public var sku: String
    public var name: String
    public var price: Money
    public var available: Int

    public init(productId: UUID, sku: String, name: String, price: Money, available: Int) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.price = price
        self.available = available
    }
}

/// `inventory.changed`: the stock of a product after a change (admin count, reservation,
/// commit, release, expiry).
public struct InventoryChanged: Codable, Sendable, Equatable {
    public var productId: UUID
    /// What can still be ordered: `onHand - held`.
    public var available: Int
    /// `set`, `reserved`, `committed`, `released`, `expired`.
    public var reason: String
    /// Units in stock not yet sold, held ones included (absent from producers before it existed).
    public var onHand: Int?
    /// Units held by open reservations (absent from producers before it existed).
    public var held: Int?

    public init(productId: UUID, available: Int, reason: String, onHand: Int? = nil, held: Int? = nil) {
        self.productId = productId
        self.available = available
        self.reason = reason
        self.onHand = onHand
        self.held = held
    }
}

/// `order.placed`, `order.confirmed` and `order.cancelled` share this payload.
public struct OrderEventPayload: Codable, Sendable, Equatable {
    public var orderId: UUID
    public var userId: UUID
    public var total: Money
    /// Set on `order.cancelled`: out_of_stock, payment_declined, payment_failed,
    /// deadline_exceeded or customer_request.
    public var reason: String?

    public init(orderId: UUID, userId: UUID, total: Money, reason: String? = nil) {
        self.orderId = orderId
        self.userId = userId
        self.total = total
        self.reason = reason
    }
}

/// `payment.authorized`, `payment.captured`, `payment.declined` and `payment.refunded`.
public struct PaymentEventPayload: Codable, Sendable, Equatable {
    public var paymentId: UUID
    public var orderId: UUID
    public var userId: UUID
    public var amount: Money
    /// Set on `payment.declined`.
    public var declineReason: String?

    public init(paymentId: UUID, orderId: UUID, userId: UUID, amount: Money, declineReason: String? = nil) {
        self.paymentId = paymentId
        self.orderId = orderId
        self.userId = userId
        self.amount = amount
        self.declineReason = declineReason
    }
}
