import Contracts
import Foundation

/// Why an order was cancelled, as the public API spells it.
enum CancellationReason: String, Codable, Sendable, CaseIterable {
    case outOfStock = "out_of_stock"
    case paymentDeclined = "payment_declined"
    case paymentFailed = "payment_failed"
    case deadlineExceeded = "deadline_exceeded"
    case customerRequest = "customer_request"
}

/// A line of an order, priced from the catalog when the order was placed.
struct OrderLine: Codable, Sendable, Equatable {
    var productId: UUID
    var name: String
    var quantity: Int
    var unitPrice: Money
}

/// Where the order goes.
struct ShippingAddress: Codable, Sendable, Equatable {
    var label: String?
    var line1: String
    var line2: String?
    var city: String
    var postalCode: String
    var country: String
}

/// What `OrderPlaced` records.
struct OrderPlacement: Codable, Sendable, Equatable {
    var orderId: UUID
    var userId: UUID
    var items: [OrderLine]
    var total: Money
    var paymentMethodId: UUID
    var shippingAddress: ShippingAddress
    /// After this instant (epoch milliseconds) a still-pending order is cancelled and compensated.
    var deadlineMillis: Int64
    /// The request id of the `POST /v1/orders` that placed the order: every saga call carries it
    /// as its `X-Request-ID`, so one id finds the whole checkout in every service's logs.
    /// (Absent in orders placed before it was recorded.)
    var correlationId: String? = nil
    /// The placing request's W3C trace context, which the saga's calls continue.
    var traceparent: String? = nil
}

/// Everything that can happen to an order; the order's state is the fold of these.
enum OrderEventKind: Sendable, Equatable {
    case placed(OrderPlacement)
    case stockReserved
    case paymentAuthorized(paymentId: UUID)
    case stockCommitted
    case paymentCaptured
    case confirmed
    case cancellationRequested(CancellationReason)
    /// The payment was voided or refunded, or there was none (then a tombstone blocks a late one).
    case paymentCancelled(status: PaymentStatus)
    case stockReleased
    case cancelled(CancellationReason)

    /// Every stored type name.
    static let typeNames = [
        "OrderPlaced", "StockReserved", "PaymentAuthorized", "StockCommitted", "PaymentCaptured", "OrderConfirmed",
        "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled",
    ]

    /// The stored type name.
    var type: String {
        switch self {
        case .placed: "OrderPlaced"
        case .stockReserved: "StockReserved"
        case .paymentAuthorized: "PaymentAuthorized"
        case .stockCommitted: "StockCommitted"
        case .paymentCaptured: "PaymentCaptured"
        case .confirmed: "OrderConfirmed"
        case .cancellationRequested: "CancellationRequested"
        case .paymentCancelled: "PaymentCancelled"
        case .stockReleased: "StockReleased"
        case .cancelled: "OrderCancelled"
        }
    }
}

/// An event with its stream position and time. Times are whole epoch milliseconds so that
/// a value read back from the store is bit-for-bit the one written (the read model, rebuilt or
/// not, renders the same).
struct OrderEvent: Sendable, Equatable {
    var kind: OrderEventKind
    /// 1-based position in the order's stream.
    var version: Int
    var occurredAtMillis: Int64

    var occurredAt: Date { Date(timeIntervalSince1970: Double(self.occurredAtMillis) / 1000) }

    static func nowMillis(_ date: Date = Date()) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}

// MARK: Stored form

extension OrderEventKind {
    /// The JSON data stored with the event.
    private struct Payload: Codable {
        var placement: OrderPlacement?
        var paymentId: UUID?
        var reason: CancellationReason?
        var paymentStatus: PaymentStatus?
    }

    struct UnknownEvent: Error, CustomStringConvertible {
        var type: String
        var description: String { "unknown or malformed order event \(self.type)" }
    }

    func encodedData() throws -> Data {
        var payload = Payload()
        switch self {
        case .placed(let placement): payload.placement = placement
        case .paymentAuthorized(let id): payload.paymentId = id
        case .cancellationRequested(let reason), .cancelled(let reason): payload.reason = reason
        case .paymentCancelled(let status): payload.paymentStatus = status
        case .stockReserved, .stockCommitted, .paymentCaptured, .confirmed, .stockReleased: break
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(payload)
    }

    init(type: String, data: Data) throws {
        let payload = try JSONDecoder().decode(Payload.self, from: data)
        switch type {
        case "OrderPlaced":
            guard let placement = payload.placement else { throw UnknownEvent(type: type) }
            self = .placed(placement)
        case "StockReserved": self = .stockReserved
        case "PaymentAuthorized":
            guard let id = payload.paymentId else { throw UnknownEvent(type: type) }
            self = .paymentAuthorized(paymentId: id)
        case "StockCommitted": self = .stockCommitted
        case "PaymentCaptured": self = .paymentCaptured
        case "OrderConfirmed": self = .confirmed
        case "CancellationRequested":
            guard let reason = payload.reason else { throw UnknownEvent(type: type) }
            self = .cancellationRequested(reason)
        case "PaymentCancelled":
            guard let status = payload.paymentStatus else { throw UnknownEvent(type: type) }
            self = .paymentCancelled(status: status)
        case "StockReleased": self = .stockReleased
        case "OrderCancelled":
            guard let reason = payload.reason else { throw UnknownEvent(type: type) }
            self = .cancelled(reason)
        default: throw UnknownEvent(type: type)
        }
    }
}
