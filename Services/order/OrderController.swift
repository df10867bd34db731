import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The public order routes: place, read one, list, cancel.
struct OrderController: Sendable {
    let store: OrderStore
    let readModel: OrderReadModel
    let placement: OrderPlacementService
    /// Wakes a saga worker when a cancellation is recorded.
    let sagaWake: WakeSignal

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/orders") { request, context in try await self.place(request, context: context) }
        routes.get("/v1/orders") { request, context in try await self.list(request, context: context) }
        routes.get("/v1/orders/{id}") { _, context in
            let caller = try context.requireUser()
            let id = try context.resourceID(notFound: "No order has this id.")
            guard let entry = try await self.readModel.find(id: id, logger: context.logger),
                caller.isAdmin || caller.userID == entry.userId
            else { throw ProblemError.notFound("No order has this id.") }
            return Self.json(entry.document)
        }
        routes.post("/v1/orders/{id}/cancel") { _, context in try await self.cancel(context: context) }
    }

    func place(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let userID = try context.requireUserID()
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key { guard (1...200).contains(key.count) else { throw ProblemError.badRequest("Idempotency-Key must be 1 to 200 characters.") } }
        let order = try await request.decodeJSON(as: OrderRequest.self, context: context)
        try order.validate()
        let placed = try await self.placement.place(
            order,
            userID: userID,
            idempotencyKey: key,
            propagating: context.propagationHeaders,
            logger: context.logger
        )
        return try Self.accepted(placed.state)
    }

    func list(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var validator = Validator()
        let page = PageRequest(uri: request.uri, validator: &validator)
        let status = request.uri.formQuery["status"].map { OrderStatus(rawValue: $0) }
        validator.check(status.map { $0 != nil } ?? true, "status", "must be pending, confirmed or cancelled")
        let cursor = page.cursor.map { Cursor.decode($0, as: OrderCursor.self) }
        validator.check(cursor.map { $0 != nil } ?? true, "cursor", "is not a cursor of this list")
        try validator.validate()
        let owner = caller.isAdmin ? nil : try context.requireUserID()
        let (documents, next) = try await self.readModel.list(
            owner: owner,
            status: status ?? nil,
            after: cursor ?? nil,
            limit: page.limit,
            logger: context.logger
        )
        // The documents are stored rendered; the page is assembled around them.
        let nextCursor = next.flatMap { Cursor.encode($0) }.map { "\"\($0)\"" } ?? "null"
        return Self.json("{\"items\":[" + documents.joined(separator: ",") + "],\"nextCursor\":\(nextCursor)}")
    }

    func cancel(context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let id = try context.resourceID(notFound: "No order has this id.")
        // Optimistic concurrency: the saga may append at the same moment; then decide again. The
        // saga holds no lock while it calls out, so this never waits on it; an order that keeps
        // changing under every try is a conflict for the client to retry, not a failure of ours.
        for _ in 0..<20 {
            let state = try await self.store.load(id, logger: context.logger)
            guard let placement = state.placement, caller.isAdmin || caller.userID == placement.userId else {
                throw ProblemError.notFound("No order has this id.")
            }
            let event: OrderEvent
            do {
                event = try state.requestCancellation(at: OrderEvent.nowMillis())
            } catch {
                throw ProblemError.conflict("The order is already cancelled or being cancelled.")
            }
            do {
                let cancelled = try await self.store.database.transaction(logger: context.logger) { connection in
                    let next = try await self.store.append([event], to: state, orderId: id, on: connection, logger: context.logger)
                    try await SagaSchedule.wake(id, on: connection, logger: context.logger)
                    return next
                }
                self.sagaWake.signal()
                context.logger.info("order cancellation requested", metadata: ["order.id": "\(id)"])
                return try Self.accepted(cancelled)
            } catch is ConcurrencyConflict {
                continue
            }
        }
        throw ProblemError.conflict("The order is changing too quickly; try again.")
    }

    /// 202 with the order and its `Location`.
    static func accepted(_ state: OrderState) throws -> Response {
        guard let view = OrderView(state) else { throw ProblemError.internalError }
        var response = Self.json(String(decoding: try WireJSON.encoder().encode(view), as: UTF8.self), status: .accepted)
        response.headers[.location] = "/v1/orders/\(view.id)"
        return response
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
