import Contracts
import Foundation

/// The public status of an order.
enum OrderStatus: String, Codable, Sendable {
    case pending, confirmed, cancelled
}

/// What a command on an order can refuse.
enum OrderRejection: Error, Equatable, Sendable {
    /// The order is cancelled or its cancellation is under way.
    case alreadyCancelled
    /// `place` on a stream that has events.
    case alreadyPlaced
    /// A command on a stream with no `OrderPlaced`.
    case notPlaced
}

/// The order aggregate: its state is the fold of its events; commands decide new events from it.
struct OrderState: Sendable, Equatable {
    private(set) var placement: OrderPlacement?
    private(set) var version = 0
    private(set) var stockReserved = false
    private(set) var paymentId: UUID?
    private(set) var stockCommitted = false
    private(set) var paymentCaptured = false
    private(set) var isConfirmed = false
    private(set) var cancellationRequested: CancellationReason?
    private(set) var paymentCancelled: PaymentStatus?
    private(set) var stockReleased = false
    private(set) var cancellationReason: CancellationReason?
    private(set) var history: [OrderEvent] = []

    init() {}

    /// The state after `events`, in stream order.
    init(events: [OrderEvent]) {
        for event in events { self.apply(event) }
    }

    var isCancelled: Bool { self.cancellationReason != nil }

    var status: OrderStatus {
        if self.isCancelled { return .cancelled }
        return self.isConfirmed ? .confirmed : .pending
    }

    /// Applies one event; events are facts, so nothing here can fail.
    mutating func apply(_ event: OrderEvent) {
        self.version = event.version
        self.history.append(event)
        switch event.kind {
        case .placed(let placement): self.placement = placement
        case .stockReserved: self.stockReserved = true
        case .paymentAuthorized(let id): self.paymentId = id
        case .stockCommitted: self.stockCommitted = true
        case .paymentCaptured: self.paymentCaptured = true
        case .confirmed: self.isConfirmed = true
        case .cancellationRequested(let reason):
            if self.cancellationRequested == nil { self.cancellationRequested = reason }
        case .paymentCancelled(let status): self.paymentCancelled = status
        case .stockReleased: self.stockReleased = true
        case .cancelled(let reason): self.cancellationReason = reason
        }
    }

    // MARK: Commands

    /// `POST /v1/orders`: the first event of a new stream.
    static func place(_ placement: OrderPlacement, at millis: Int64) -> OrderEvent {
        OrderEvent(kind: .placed(placement), version: 1, occurredAtMillis: millis)
    }

    /// A customer's cancellation: allowed while pending or confirmed, once.
    func requestCancellation(at millis: Int64) throws(OrderRejection) -> OrderEvent {
        guard self.placement != nil else { throw .notPlaced }
        guard !self.isCancelled, self.cancellationRequested == nil else { throw .alreadyCancelled }
        return self.next(.cancellationRequested(.customerRequest), at: millis)
    }

    /// The event that follows this state.
    func next(_ kind: OrderEventKind, at millis: Int64) -> OrderEvent {
        OrderEvent(kind: kind, version: self.version + 1, occurredAtMillis: millis)
    }
}
