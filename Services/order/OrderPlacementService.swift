import Contracts
import Foundation
import InternalAPI
import Logging
import PostgresNIO
import ServiceKit

/// `POST /v1/orders`: validates the items against the catalog (prices come from product),
/// checks the payment method is the caller's, honours `Idempotency-Key`, and records
/// `OrderPlaced` together with the saga's first schedule entry.
struct OrderPlacementService: Sendable {
    let store: OrderStore
    let calls: InternalCalls
    let deadline: Duration
    /// Wakes a saga worker once a new order is committed.
    let sagaWake: WakeSignal

    /// The placed order (new, or the one an earlier request with the same key placed).
    struct Placed: Sendable {
        var state: OrderState
        var created: Bool
    }

    /// Places the order; `propagation` (the caller's request id, trace and remaining deadline)
    /// goes with the calls to product and payment, and the request id becomes the order's
    /// correlation id, which the saga's calls carry.
    func place(
        _ request: OrderRequest,
        userID: UUID,
        idempotencyKey: String?,
        propagating propagation: PropagationHeaders,
        logger: Logger
    ) async throws -> Placed {
        if let idempotencyKey,
            let earlier = try await self.earlierOrder(userID: userID, key: idempotencyKey, fingerprint: request.fingerprint, logger: logger)
        {
            return Placed(state: try await self.store.load(earlier, logger: logger), created: false)
        }
        let lines = try await self.price(request.items, propagation, logger: logger)
        try await self.checkPaymentMethod(request.paymentMethodId, userID: userID, propagation, logger: logger)
        let total = try OrderPricing.total(of: lines)
        let now = OrderEvent.nowMillis()
        let orderID = UUID()
        let placement = OrderPlacement(
            orderId: orderID,
            userId: userID,
            items: lines,
            total: total,
            paymentMethodId: request.paymentMethodId,
            shippingAddress: request.shippingAddress,
            deadlineMillis: now + Int64(self.deadline / .milliseconds(1)),
            correlationId: propagation.requestID,
            traceparent: TracePropagation.currentTraceparent()
        )
        let placed: OrderState? = try await self.store.database.transaction(logger: logger) { connection in
            if let idempotencyKey {
                let rows = try await connection.query(
                    """
                    INSERT INTO idempotency_keys (user_id, key, fingerprint, order_id)
                    VALUES (\(userID), \(idempotencyKey), \(request.fingerprint), \(orderID))
                    ON CONFLICT (user_id, key) DO NOTHING
                    RETURNING order_id
                    """,
                    logger: logger
                )
                var inserted = false
                for try await _ in rows.decode(UUID.self) { inserted = true }
                // A concurrent request with the same key won: answer its order.
                guard inserted else { return nil }
            }
            let state = try await self.store.append(
                [OrderState.place(placement, at: now)],
                to: OrderState(),
                orderId: orderID,
                on: connection,
                logger: logger
            )
            try await SagaSchedule.wake(orderID, on: connection, logger: logger)
            return state
        }
        if let placed {
            self.sagaWake.signal()
            OrderMetrics.placed.increment()
            logger.info("order placed", metadata: ["order.id": "\(orderID)", "order.total": "\(total.amount) \(total.currency)"])
            return Placed(state: placed, created: true)
        }
        guard let idempotencyKey,
            let earlier = try await self.earlierOrder(userID: userID, key: idempotencyKey, fingerprint: request.fingerprint, logger: logger)
        else { throw ProblemError.conflict("A concurrent request with this Idempotency-Key is being processed.") }
        return Placed(state: try await self.store.load(earlier, logger: logger), created: false)
    }

    /// The order an earlier request with this key placed; 409 when that request had another body.
    private func earlierOrder(userID: UUID, key: String, fingerprint: String, logger: Logger) async throws -> UUID? {
        let rows = try await self.store.database.client.query(
            "SELECT fingerprint, order_id FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key)",
            logger: logger
        )
        for try await (stored, orderID) in rows.decode((String, UUID).self) {
            guard stored == fingerprint else {
                throw ProblemError.conflict("This Idempotency-Key was used for a different request.")
            }
            return orderID
        }
        return nil
    }

    /// The order lines priced from the catalog; 422 naming each unknown or archived product.
    private func price(_ items: [OrderRequest.Item], _ propagation: PropagationHeaders, logger: Logger) async throws -> [OrderLine] {
        let lookup: Shop_Catalog_V1_LookupProductsResponse
        do {
            let request = Shop_Catalog_V1_LookupProductsRequest.with { $0.productIds = items.map { $0.productId.uuidString.lowercased() } }
            lookup = try await self.calls.call(
                Shop_Catalog_V1_ProductLookup.Method.LookupProducts.descriptor,
                of: ServiceName.product,
                idempotencyKey: nil,
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Catalog_V1_ProductLookup.Client(wrapping: client).lookupProducts(request, metadata: metadata, options: options)
            }
        } catch let error as ServiceClientError {
            throw error.asProblem
        }
        var facts: [UUID: Shop_Catalog_V1_ProductFacts] = [:]
        for product in lookup.products {
            guard let id = UUID(uuidString: product.productID) else {
                throw ServiceClientError.invalidResponse(service: ServiceName.product, reason: "a product id that is not a UUID").asProblem
            }
            facts[id] = facts[id] ?? product
        }
        var validator = Validator()
        var lines: [OrderLine] = []
        for (index, item) in items.enumerated() {
            guard let product = facts[item.productId], !product.archived else {
                validator.check(false, "items[\(index)].productId", "is not a product that can be ordered")
                continue
            }
            let price = Money(amount: product.price.amountMinor, currency: product.price.currency)
            lines.append(OrderLine(productId: item.productId, name: product.name, quantity: item.quantity, unitPrice: price))
        }
        let currencies = Set(lines.map(\.unitPrice.currency))
        validator.check(currencies.count <= 1, "items", "must all be priced in one currency")
        try validator.validate()
        return lines
    }

    /// 422 unless the payment method exists, is the caller's and has not expired.
    private func checkPaymentMethod(_ id: UUID, userID: UUID, _ propagation: PropagationHeaders, logger: Logger) async throws {
        do {
            let request = Shop_Payment_V1_CheckPaymentMethodRequest.with {
                $0.paymentMethodID = id.uuidString.lowercased()
                $0.userID = userID.uuidString.lowercased()
            }
            let check = try await self.calls.call(
                Shop_Payment_V1_Payments.Method.CheckPaymentMethod.descriptor,
                of: ServiceName.payment,
                idempotencyKey: nil,
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Payment_V1_Payments.Client(wrapping: client).checkPaymentMethod(request, metadata: metadata, options: options)
            }
            guard UUID(uuidString: check.userID) == userID else {
                throw ProblemError.validation([.init(field: "paymentMethodId", message: "is not one of your payment methods")])
            }
            guard !check.expired else { throw ProblemError.validation([.init(field: "paymentMethodId", message: "has expired")]) }
        } catch ServiceClientError.rejected(_, let rejection) where rejection.code == .notFound {
            throw ProblemError.validation([.init(field: "paymentMethodId", message: "is not one of your payment methods")])
        } catch let error as ServiceClientError {
            throw error.asProblem
        }
    }
}
