import Contracts
import Foundation
import GRPCCore
import InternalAPI
import ServiceKit

/// `shop.inventory.v1.Reservations`, which the order saga calls: reserve, commit and release,
/// each idempotent per order and carrying its idempotency key.
struct ReservationRPC: Shop_Inventory_V1_Reservations.SimpleServiceProtocol {
    let reservations: ReservationRepository
    let settings: ReservationSettings

    /// The error domain of the reasons in this service's `ErrorInfo` details.
    static let errorDomain = "inventory.shop"
    private static let unknown = "No reservation exists for this order."

    /// The reservation, held or existing as it is; `FAILED_PRECONDITION` (`OUT_OF_STOCK`, the
    /// unavailable product ids in its metadata) when it is rejected.
    func reserve(request: Shop_Inventory_V1_ReserveRequest, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        let call = try RPCCall.requireMutation()
        let plan = try StockReservation(request)
        let result: ReservationResult
        switch try await self.reservations.reserve(plan, holdFor: self.settings.holdFor, logger: call.logger) {
        case .created(let created) where created.status == .reserved:
            call.logger.info("stock reserved", metadata: ["order.id": "\(plan.orderId)", "reservation.lines": "\(plan.lines.count)"])
            result = created
        case .created(let created):
            call.logger.info(
                "stock reservation rejected",
                metadata: ["order.id": "\(plan.orderId)", "reservation.unavailable": "\(created.unavailable.map(\.uuidString))"]
            )
            result = created
        case .changed(let existing), .unchanged(let existing), .refused(let existing):
            result = existing
        case .unknown:
            // The row that blocked the insert vanished; reservations are never deleted, so a retry settles it.
            throw RPCError(code: .aborted, message: "The reservation is being changed; try again.")
        }
        guard result.status != .rejected else {
            throw domainError(
                .failedPrecondition,
                reason: "OUT_OF_STOCK",
                domain: Self.errorDomain,
                message: "Some products are out of stock or cannot be ordered.",
                metadata: ["unavailable": result.unavailable.map { $0.uuidString.lowercased() }.joined(separator: ",")]
            )
        }
        return Shop_Inventory_V1_Reservation(result)
    }

    /// The reservation, `committed`; `FAILED_PRECONDITION` (`RESERVATION_NOT_HELD`) when
    /// released, expired or rejected; `NOT_FOUND` when there is none.
    func commit(request: Shop_Inventory_V1_ReservationRef, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        let call = try RPCCall.requireMutation()
        let orderId = try Self.orderId(request.orderID)
        switch try await self.reservations.commit(orderId: orderId, logger: call.logger) {
        case .changed(let result):
            call.logger.info("reservation committed", metadata: ["order.id": "\(orderId)"])
            return Shop_Inventory_V1_Reservation(result)
        case .created(let result), .unchanged(let result):
            return Shop_Inventory_V1_Reservation(result)
        case .refused(let result):
            call.logger.info("reservation commit refused", metadata: ["order.id": "\(orderId)", "reservation.status": "\(result.status.rawValue)"])
            throw domainError(
                .failedPrecondition,
                reason: "RESERVATION_NOT_HELD",
                domain: Self.errorDomain,
                message: "The reservation is \(result.status.rawValue); it can no longer be committed.",
                metadata: ["status": result.status.rawValue]
            )
        case .unknown:
            throw RPCError(code: .notFound, message: Self.unknown)
        }
    }

    /// The reservation after the release (a release before any reservation is recorded, and
    /// blocks a late one).
    func release(request: Shop_Inventory_V1_ReservationRef, context: ServerContext) async throws -> Shop_Inventory_V1_Reservation {
        let call = try RPCCall.requireMutation()
        let orderId = try Self.orderId(request.orderID)
        switch try await self.reservations.release(orderId: orderId, logger: call.logger) {
        case .created(let result):
            call.logger.info("release recorded before any reservation", metadata: ["order.id": "\(orderId)"])
            return Shop_Inventory_V1_Reservation(result)
        case .changed(let result):
            call.logger.info("stock released", metadata: ["order.id": "\(orderId)"])
            return Shop_Inventory_V1_Reservation(result)
        case .unchanged(let result), .refused(let result):
            return Shop_Inventory_V1_Reservation(result)
        case .unknown:
            throw RPCError(code: .aborted, message: "The reservation is being changed; try again.")
        }
    }

    private static func orderId(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw RPCError(code: .invalidArgument, message: "orderId must be a UUID.") }
        return id
    }
}

extension Shop_Inventory_V1_Reservation {
    init(_ result: ReservationResult) {
        self.init()
        self.orderID = result.orderId.uuidString.lowercased()
        self.status = .init(result.status)
        self.unavailableProductIds = result.unavailable.map { $0.uuidString.lowercased() }
    }
}

extension Shop_Inventory_V1_ReservationStatus {
    init(_ status: ReservationStatus) {
        switch status {
        case .reserved: self = .reserved
        case .committed: self = .committed
        case .released: self = .released
        case .expired: self = .expired
        case .rejected: self = .rejected
        }
    }
}
