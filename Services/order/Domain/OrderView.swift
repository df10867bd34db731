import Contracts
import Foundation

/// An order as the public API shows it: a pure function of its events, so the read model
/// rebuilt from the event store renders exactly what was served before.
struct OrderView: Codable, Sendable, Equatable {
    struct HistoryEntry: Codable, Sendable, Equatable {
        var type: String
        var at: Date
    }

    var id: UUID
    var userId: UUID
    var status: OrderStatus
    var items: [OrderLine]
    var total: Money
    var paymentMethodId: UUID
    var shippingAddress: ShippingAddress
    var cancellationReason: CancellationReason?
    var createdAt: Date
    var updatedAt: Date
    var history: [HistoryEntry]

    /// The view of a placed order; `nil` for a stream without `OrderPlaced`.
    init?(_ state: OrderState) {
        guard let placement = state.placement, let first = state.history.first, let last = state.history.last else { return nil }
        self.id = placement.orderId
        self.userId = placement.userId
        self.status = state.status
        self.items = placement.items
        self.total = placement.total
        self.paymentMethodId = placement.paymentMethodId
        self.shippingAddress = placement.shippingAddress
        self.cancellationReason = state.cancellationReason
        self.createdAt = first.occurredAt
        self.updatedAt = last.occurredAt
        self.history = state.history.map { HistoryEntry(type: $0.kind.type, at: $0.occurredAt) }
    }
}
