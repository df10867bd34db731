import Contracts
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// The saga's remote steps: calls to product and payment's internal endpoints with order's
/// service token and an idempotency key per order and step. Answers become
/// ``OrderSaga/Outcome``s; anything transient is thrown and retried by the runner.
///
/// Every call carries the order's correlation id (the request id of the `POST /v1/orders` that
/// placed it) as its `X-Request-ID`, continues the placing request's trace (the runner's step
/// span is the active one), and has the step's budget as its deadline.
struct SagaEffects: Sendable {
    let client: InternalClient

    func perform(_ step: OrderSaga.Step, for state: OrderState, budget: Duration, logger: Logger) async throws -> OrderSaga.Outcome {
        guard let placement = state.placement else { return .none }
        let order = placement.orderId
        let propagation = PropagationHeaders(
            requestID: placement.correlationId ?? order.uuidString,
            deadline: .now + budget
        )
        switch step {
        case .reserveStock:
            let request = ReservationRequest(
                orderId: order,
                lines: placement.items.map { ReservationRequest.Line(productId: $0.productId, quantity: $0.quantity) }
            )
            let result: ReservationResult = try await self.post(
                "/internal/reservations",
                ServiceName.product,
                request,
                propagation,
                key: "\(order)-reserve",
                logger
            )
            return .reservation(result.status)
        case .authorizePayment:
            let request = AuthorizationRequest(
                orderId: order,
                userId: placement.userId,
                paymentMethodId: placement.paymentMethodId,
                amount: placement.total
            )
            let result: AuthorizationResult = try await self.post(
                "/internal/payments/authorize",
                ServiceName.payment,
                request,
                propagation,
                key: "\(order)-authorize",
                logger
            )
            switch (result.outcome, result.payment) {
            case (.recorded, let payment?): return .payment(payment.status, paymentId: payment.paymentId)
            case (.processorUnavailable, _): return .processorUnavailable
            case (.recorded, nil):
                throw ServiceClientError.invalidResponse(service: ServiceName.payment, reason: "a recorded authorization without its payment")
            }
        case .commitStock:
            do {
                let result: ReservationResult = try await self.post(
                    "/internal/reservations/\(order)/commit",
                    ServiceName.product,
                    nil as Empty?,
                    propagation,
                    key: "\(order)-commit",
                    logger
                )
                return .reservation(result.status)
            } catch ServiceClientError.problem(_, let problem) where problem.status == 409 {
                return .refused
            }
        case .capturePayment:
            do {
                let result: PaymentResult = try await self.post(
                    "/internal/payments/\(order)/capture",
                    ServiceName.payment,
                    nil as Empty?,
                    propagation,
                    key: "\(order)-capture",
                    logger
                )
                return .payment(result.status, paymentId: result.paymentId)
            } catch ServiceClientError.problem(_, let problem) where problem.status == 409 {
                return .refused
            }
        case .cancelPayment:
            let result: PaymentResult = try await self.post(
                "/internal/payments/\(order)/cancel",
                ServiceName.payment,
                nil as Empty?,
                propagation,
                key: "\(order)-cancel-payment",
                logger
            )
            return .payment(result.status, paymentId: result.paymentId)
        case .releaseStock:
            let result: ReservationResult = try await self.post(
                "/internal/reservations/\(order)/release",
                ServiceName.product,
                nil as Empty?,
                propagation,
                key: "\(order)-release",
                logger
            )
            return .reservation(result.status)
        case .confirm, .expire, .finishCancellation, .done:
            return .none
        }
    }

    private struct Empty: Codable, Sendable {}

    /// POSTs `body` (JSON) and decodes the answer; a problem answer throws ``ServiceClientError``.
    private func post<Body: Encodable, Answer: Decodable>(
        _ path: String,
        _ service: String,
        _ body: Body?,
        _ propagation: PropagationHeaders,
        key: String,
        _ logger: Logger
    ) async throws -> Answer {
        let json = try body.map { ByteBuffer(bytes: try WireJSON.encoder().encode($0)) }
        let (_, answer) = try await self.client.send(
            .POST,
            path,
            to: service,
            json: json,
            idempotencyKey: key,
            propagating: propagation,
            logger: logger
        )
        return try WireJSON.decoder().decode(Answer.self, from: Data(buffer: answer))
    }
}
