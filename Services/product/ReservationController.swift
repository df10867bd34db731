import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The stock reservation endpoints the order saga calls (service token only): reserve,
/// commit and release, each idempotent per order.
struct ReservationController: Sendable {
    let reservations: ReservationRepository
    let settings: ReservationSettings

    private static let unknown = "No reservation exists for this order."

    func register(on routes: ServiceRoutes) {
        routes.post("/internal/reservations", scope: .reservationsWrite) { request, context in try await self.reserve(request, context: context) }
        routes.post("/internal/reservations/{orderId}/commit", scope: .reservationsWrite) { _, context in try await self.commit(context: context) }
        routes.post("/internal/reservations/{orderId}/release", scope: .reservationsWrite) { _, context in try await self.release(context: context) }
    }

    /// 201 with the new reservation (held or rejected), 200 with an existing one as it is.
    func reserve(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<ReservationResult> {
        let plan = try StockReservation(try await request.decodeJSON(as: ReservationRequest.self, context: context))
        let outcome = try await self.reservations.reserve(plan, holdFor: self.settings.holdFor, logger: context.logger)
        switch outcome {
        case .created(let result) where result.status == .reserved:
            context.logger.info("stock reserved", metadata: ["order.id": "\(plan.orderId)", "reservation.lines": "\(plan.lines.count)"])
            return JSONResponse(status: .created, result)
        case .created(let result):
            context.logger.info(
                "stock reservation rejected",
                metadata: ["order.id": "\(plan.orderId)", "reservation.unavailable": "\(result.unavailable.map(\.uuidString))"]
            )
            return JSONResponse(status: .created, result)
        case .changed(let result), .unchanged(let result), .refused(let result):
            return JSONResponse(result)
        case .unknown:
            // The row that blocked the insert vanished; reservations are never deleted, so a retry settles it.
            throw ProblemError.unavailable("The reservation is being changed; try again.")
        }
    }

    /// 200 `committed`; 409 when released, expired (now or before) or rejected; 404 unknown.
    func commit(context: ServiceRequestContext) async throws -> JSONResponse<ReservationResult> {
        let orderId = try context.resourceID("orderId", notFound: Self.unknown)
        switch try await self.reservations.commit(orderId: orderId, logger: context.logger) {
        case .changed(let result):
            context.logger.info("reservation committed", metadata: ["order.id": "\(orderId)"])
            return JSONResponse(result)
        case .created(let result), .unchanged(let result):
            return JSONResponse(result)
        case .refused(let result):
            context.logger.info(
                "reservation commit refused",
                metadata: ["order.id": "\(orderId)", "reservation.status": "\(result.status.rawValue)"]
            )
            var problem = ProblemError.conflict("The reservation is \(result.status.rawValue); it can no longer be committed.")
            problem.extensions["reservationStatus"] = result.status.rawValue
            throw problem
        case .unknown:
            throw ProblemError.notFound(Self.unknown)
        }
    }

    /// Always 200 with the reservation after the release.
    func release(context: ServiceRequestContext) async throws -> JSONResponse<ReservationResult> {
        let orderId = try context.resourceID("orderId", notFound: Self.unknown)
        switch try await self.reservations.release(orderId: orderId, logger: context.logger) {
        case .created(let result):
            context.logger.info("release recorded before any reservation", metadata: ["order.id": "\(orderId)"])
            return JSONResponse(result)
        case .changed(let result):
            context.logger.info("stock released", metadata: ["order.id": "\(orderId)"])
            return JSONResponse(result)
        case .unchanged(let result), .refused(let result):
            return JSONResponse(result)
        case .unknown:
            throw ProblemError.unavailable("The reservation is being changed; try again.")
        }
    }
}
