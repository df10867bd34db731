import Contracts
import Foundation
import Testing

@testable import OrderService

/// The checkout saga as a pure state machine: every transition of `nextStep` and `decide`, and
/// whole sagas driven to their end from scripted answers of product and payment.
struct OrderSagaTests {
    private typealias Fixture = OrderFixture
    typealias Step = OrderSaga.Step
    typealias Outcome = OrderSaga.Outcome
    typealias Decision = OrderSaga.Decision

    /// A moment well before the deadline.
    private static let early: Int64 = OrderFixture.placedAt + 1_000

    private static func record(_ kinds: OrderEventKind...) -> Decision { .record(kinds) }

    // MARK: nextStep

    @Test func anEmptyStreamHasNothingToDo() {
        #expect(OrderSaga.nextStep(OrderState(), nowMillis: Self.early) == .done)
        #expect(OrderSaga.nextStep(OrderState(), nowMillis: OrderFixture.deadline + 1) == .done)
    }

    @Test(arguments: zip(0...5, [OrderSaga.Step.reserveStock, .authorizePayment, .commitStock, .capturePayment, .confirm, .done]))
    func theForwardPath(forwardSteps: Int, step: Step) {
        let state = Fixture.state(Array(Fixture.forward.prefix(forwardSteps)))
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == step)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline - 1) == step)
    }

    /// Before the stock is committed (placed, reserved, authorized) the deadline cancels.
    @Test(arguments: 0...2)
    func aPendingOrderExpiresAtItsDeadline(forwardSteps: Int) {
        let state = Fixture.state(Array(Fixture.forward.prefix(forwardSteps)))
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline) == .expire)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline + 1) == .expire)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline + 86_400_000) == .expire)
    }

    @Test func aConfirmedOrderNeverExpires() {
        let state = Fixture.state(Fixture.forward)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline) == .done)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline + 86_400_000) == .done)
    }

    /// Compensation, whatever the time: what to undo depends only on what was done.
    @Test(arguments: [
        // Nothing was reserved: release (which leaves a tombstone), then cancel.
        ([OrderEventKind.cancellationRequested(.outOfStock)], OrderSaga.Step.releaseStock),
        ([.cancellationRequested(.customerRequest)], .releaseStock),
        ([.cancellationRequested(.deadlineExceeded), .stockReleased], .finishCancellation(.deadlineExceeded)),
        ([.cancellationRequested(.outOfStock), .stockReleased], .finishCancellation(.outOfStock)),
        // Stock was reserved, so a payment may exist: cancel it first, then release.
        ([.stockReserved, .cancellationRequested(.paymentDeclined)], .cancelPayment),
        ([.stockReserved, .cancellationRequested(.customerRequest)], .cancelPayment),
        ([.stockReserved, .paymentAuthorized(paymentId: OrderFixture.paymentId), .cancellationRequested(.customerRequest)], .cancelPayment),
        ([.stockReserved, .cancellationRequested(.paymentDeclined), .paymentCancelled(status: .declined)], .releaseStock),
        (
            [.stockReserved, .cancellationRequested(.paymentDeclined), .paymentCancelled(status: .declined), .stockReleased],
            .finishCancellation(.paymentDeclined)
        ),
        (OrderFixture.forward + [.cancellationRequested(.customerRequest)], .cancelPayment),
        (OrderFixture.forward + [.cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded)], .releaseStock),
        (
            OrderFixture.forward + [.cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded), .stockReleased],
            .finishCancellation(.customerRequest)
        ),
        // Only the first reason counts.
        (
            [.cancellationRequested(.customerRequest), .cancellationRequested(.deadlineExceeded), .stockReleased],
            .finishCancellation(.customerRequest)
        ),
        // Cancelled: nothing left, even with a compensation the stream does not show.
        ([.cancellationRequested(.outOfStock), .stockReleased, .cancelled(.outOfStock)], .done),
        (OrderFixture.forward + [.cancelled(.customerRequest)], .done),
        ([.stockReserved, .cancelled(.paymentFailed)], .done),
    ])
    func compensationGoesBackwards(kinds: [OrderEventKind], step: Step) {
        let state = Fixture.state(kinds)
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == step)
        // Past the deadline a cancelling order goes on compensating and never expires.
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline) == step)
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline + 86_400_000) == step)
    }

    /// Once the stock is committed the sale goes through even past the deadline: capture and
    /// confirm are retried instead of refunding a sale that succeeded.
    @Test func aCommittedOrderDoesNotExpire() {
        let committed = Fixture.state(Array(Fixture.forward.prefix(3)))
        #expect(committed.stockCommitted && !committed.paymentCaptured)
        #expect(OrderSaga.nextStep(committed, nowMillis: Fixture.deadline) == .capturePayment)
        let captured = Fixture.state(Array(Fixture.forward.prefix(4)))
        #expect(captured.paymentCaptured && captured.stockCommitted && !captured.isConfirmed)
        #expect(OrderSaga.nextStep(captured, nowMillis: Fixture.deadline) == .confirm)
        let authorized = Fixture.state(Array(Fixture.forward.prefix(2)))
        #expect(OrderSaga.nextStep(authorized, nowMillis: Fixture.deadline) == .expire)
    }

    // MARK: decide

    struct Transition: Sendable, CustomTestStringConvertible {
        var step: OrderSaga.Step
        var outcome: OrderSaga.Outcome
        var failedAttempts = 0
        var maxPaymentAttempts = 3
        var decision: OrderSaga.Decision

        var testDescription: String {
            "\(self.step) + \(self.outcome) (\(self.failedAttempts)/\(self.maxPaymentAttempts)) → \(self.decision)"
        }
    }

    private func check(_ transition: Transition) {
        let decision = OrderSaga.decide(
            transition.step,
            transition.outcome,
            failedAttempts: transition.failedAttempts,
            maxPaymentAttempts: transition.maxPaymentAttempts
        )
        #expect(decision == transition.decision)
    }

    private static let paymentId = OrderFixture.paymentId
    private static let otherPaymentId = OrderFixture.uuid(0xD5)

    static let forwardTransitions: [Transition] = [
        // 1. Reserve stock.
        Transition(step: .reserveStock, outcome: .reservation(.reserved), decision: record(.stockReserved)),
        Transition(step: .reserveStock, outcome: .reservation(.committed), decision: record(.stockReserved)),
        Transition(step: .reserveStock, outcome: .reservation(.rejected), decision: record(.cancellationRequested(.outOfStock))),
        Transition(step: .reserveStock, outcome: .reservation(.expired), decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .reserveStock, outcome: .reservation(.released), decision: record(.cancellationRequested(.deadlineExceeded))),
        // 2. Authorize payment.
        Transition(
            step: .authorizePayment,
            outcome: .payment(.authorized, paymentId: paymentId),
            decision: record(.paymentAuthorized(paymentId: paymentId))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .payment(.captured, paymentId: otherPaymentId),
            decision: record(.paymentAuthorized(paymentId: otherPaymentId))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .payment(.declined, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentDeclined))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .payment(.voided, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .payment(.refunded, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        // 3. Commit the reservation: anything but committed means it is gone.
        Transition(step: .commitStock, outcome: .reservation(.committed), decision: record(.stockCommitted)),
        Transition(step: .commitStock, outcome: .refused, decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .commitStock, outcome: .reservation(.expired), decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .commitStock, outcome: .reservation(.released), decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .commitStock, outcome: .reservation(.reserved), decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .commitStock, outcome: .reservation(.rejected), decision: record(.cancellationRequested(.deadlineExceeded))),
        // 4. Capture the payment: anything but captured fails the payment.
        Transition(step: .capturePayment, outcome: .payment(.captured, paymentId: paymentId), decision: record(.paymentCaptured)),
        Transition(step: .capturePayment, outcome: .refused, decision: record(.cancellationRequested(.paymentFailed))),
        Transition(
            step: .capturePayment,
            outcome: .payment(.authorized, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .capturePayment,
            outcome: .payment(.voided, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .capturePayment,
            outcome: .payment(.refunded, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .capturePayment,
            outcome: .payment(.declined, paymentId: paymentId),
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        // 5. Confirm, and expire: local, whatever the (absent) answer.
        Transition(step: .confirm, outcome: .none, decision: record(.confirmed)),
        Transition(step: .confirm, outcome: .refused, decision: record(.confirmed)),
        Transition(step: .expire, outcome: .none, decision: record(.cancellationRequested(.deadlineExceeded))),
        Transition(step: .expire, outcome: .processorUnavailable, decision: record(.cancellationRequested(.deadlineExceeded))),
    ]

    static let compensationTransitions: [Transition] = [
        Transition(step: .cancelPayment, outcome: .payment(.voided, paymentId: paymentId), decision: record(.paymentCancelled(status: .voided))),
        Transition(
            step: .cancelPayment,
            outcome: .payment(.refunded, paymentId: paymentId),
            decision: record(.paymentCancelled(status: .refunded))
        ),
        Transition(
            step: .cancelPayment,
            outcome: .payment(.declined, paymentId: paymentId),
            decision: record(.paymentCancelled(status: .declined))
        ),
        Transition(step: .releaseStock, outcome: .reservation(.released), decision: record(.stockReleased)),
        Transition(step: .releaseStock, outcome: .reservation(.expired), decision: record(.stockReleased)),
        Transition(step: .releaseStock, outcome: .reservation(.rejected), decision: record(.stockReleased)),
    ]

    static let lenientCompensationTransitions: [Transition] = [
        Transition(step: .cancelPayment, outcome: .payment(.authorized, paymentId: paymentId), decision: .retry),
        Transition(step: .cancelPayment, outcome: .payment(.captured, paymentId: paymentId), decision: .retry),
        Transition(step: .releaseStock, outcome: .reservation(.reserved), decision: .retry),
        Transition(step: .releaseStock, outcome: .reservation(.committed), decision: .retry),
    ]

    static let processorUnavailableTransitions: [Transition] = [
        // Below the limit the same step is tried again.
        Transition(step: .authorizePayment, outcome: .processorUnavailable, failedAttempts: 0, maxPaymentAttempts: 3, decision: .retry),
        Transition(step: .authorizePayment, outcome: .processorUnavailable, failedAttempts: 1, maxPaymentAttempts: 3, decision: .retry),
        Transition(step: .authorizePayment, outcome: .processorUnavailable, failedAttempts: 8, maxPaymentAttempts: 10, decision: .retry),
        // The attempt that reaches the limit fails the payment.
        Transition(
            step: .authorizePayment,
            outcome: .processorUnavailable,
            failedAttempts: 2,
            maxPaymentAttempts: 3,
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .processorUnavailable,
            failedAttempts: 9,
            maxPaymentAttempts: 10,
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .processorUnavailable,
            failedAttempts: 0,
            maxPaymentAttempts: 1,
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        Transition(
            step: .authorizePayment,
            outcome: .processorUnavailable,
            failedAttempts: 7,
            maxPaymentAttempts: 3,
            decision: record(.cancellationRequested(.paymentFailed))
        ),
        // Earlier failures do not matter to an answer that is not a processor failure.
        Transition(
            step: .authorizePayment,
            outcome: .payment(.authorized, paymentId: paymentId),
            failedAttempts: 2,
            maxPaymentAttempts: 3,
            decision: record(.paymentAuthorized(paymentId: paymentId))
        ),
    ]

    static let mismatchedTransitions: [Transition] = [
        Transition(step: .reserveStock, outcome: .payment(.authorized, paymentId: paymentId), decision: .retry),
        Transition(step: .reserveStock, outcome: .refused, decision: .retry),
        Transition(step: .reserveStock, outcome: .processorUnavailable, decision: .retry),
        Transition(step: .reserveStock, outcome: .none, decision: .retry),
        Transition(step: .authorizePayment, outcome: .reservation(.reserved), decision: .retry),
        Transition(step: .authorizePayment, outcome: .refused, decision: .retry),
        Transition(step: .authorizePayment, outcome: .none, decision: .retry),
        Transition(step: .commitStock, outcome: .payment(.captured, paymentId: paymentId), decision: .retry),
        Transition(step: .commitStock, outcome: .processorUnavailable, decision: .retry),
        Transition(step: .commitStock, outcome: .none, decision: .retry),
        Transition(step: .capturePayment, outcome: .reservation(.committed), decision: .retry),
        Transition(step: .capturePayment, outcome: .processorUnavailable, decision: .retry),
        Transition(step: .capturePayment, outcome: .none, decision: .retry),
        Transition(step: .cancelPayment, outcome: .reservation(.released), decision: .retry),
        Transition(step: .cancelPayment, outcome: .refused, decision: .retry),
        Transition(step: .cancelPayment, outcome: .processorUnavailable, decision: .retry),
        Transition(step: .cancelPayment, outcome: .none, decision: .retry),
        Transition(step: .releaseStock, outcome: .payment(.voided, paymentId: paymentId), decision: .retry),
        Transition(step: .releaseStock, outcome: .refused, decision: .retry),
        Transition(step: .releaseStock, outcome: .processorUnavailable, decision: .retry),
        Transition(step: .releaseStock, outcome: .none, decision: .retry),
        Transition(step: .done, outcome: .none, decision: .retry),
        Transition(step: .done, outcome: .reservation(.reserved), decision: .retry),
    ]

    @Test(arguments: OrderSagaTests.forwardTransitions)
    func forwardAnswers(transition: Transition) {
        self.check(transition)
    }

    @Test(arguments: OrderSagaTests.compensationTransitions)
    func compensationAnswers(transition: Transition) {
        self.check(transition)
    }

    /// A compensation answer that says the money or the stock is still held is not recorded as
    /// done: the step is tried again.
    @Test(arguments: OrderSagaTests.lenientCompensationTransitions)
    func compensationAnswersThatStillHoldSomethingAreRetried(transition: Transition) {
        self.check(transition)
    }

    @Test(arguments: CancellationReason.allCases)
    func finishingACancellationRecordsItsReason(reason: CancellationReason) {
        let decision = OrderSaga.decide(.finishCancellation(reason), .none, failedAttempts: 0, maxPaymentAttempts: 3)
        #expect(decision == .record([.cancelled(reason)]))
    }

    @Test(arguments: OrderSagaTests.processorUnavailableTransitions)
    func anUnavailableProcessorIsRetriedUpToTheLimit(transition: Transition) {
        self.check(transition)
    }

    @Test(arguments: OrderSagaTests.mismatchedTransitions)
    func anAnswerThatDoesNotFitTheStepIsRetried(transition: Transition) {
        self.check(transition)
    }

    // MARK: Whole sagas

    /// Why a scripted saga could not be driven to its end.
    private struct DriveFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A saga driven to its end.
    private struct Run {
        var state: OrderState
        var steps: [Step] = []
        var unusedOutcomes: [Outcome]
        /// The order's status when the customer asked to cancel it.
        var statusAtCustomerCancellation: OrderStatus?
    }

    /// Drives the saga of a newly placed order until `.done`, answering each remote step with the
    /// next scripted outcome and each local step with `.none`, and recording decided events with
    /// increasing versions. The clock ticks one second per step; from step `deadlinePassesAfter`
    /// on, it reads past the deadline. The customer asks to cancel before step `customerCancelsAfter`.
    private static func drive(
        _ outcomes: [Outcome],
        maxPaymentAttempts: Int = 3,
        deadlinePassesAfter: Int? = nil,
        customerCancelsAfter: Int? = nil
    ) throws -> Run {
        var run = Run(state: OrderState(events: [OrderState.place(Fixture.placement, at: Fixture.placedAt)]), unusedOutcomes: outcomes)
        var failedAttempts = 0
        for tick in 1...50 {
            let pastDeadline = deadlinePassesAfter.map { run.steps.count >= $0 } ?? false
            let now = (pastDeadline ? Fixture.deadline : Fixture.placedAt) + Int64(tick) * 1000
            if run.steps.count == customerCancelsAfter {
                run.statusAtCustomerCancellation = run.state.status
                run.state.apply(try run.state.requestCancellation(at: now))
            }
            let step = OrderSaga.nextStep(run.state, nowMillis: now)
            run.steps.append(step)
            let outcome: Outcome
            switch step {
            case .done:
                return run
            case .confirm, .expire, .finishCancellation:
                outcome = .none
            case .reserveStock, .authorizePayment, .commitStock, .capturePayment, .cancelPayment, .releaseStock:
                guard !run.unusedOutcomes.isEmpty else {
                    throw DriveFailure(description: "no scripted outcome left for \(step) after \(run.steps.dropLast())")
                }
                outcome = run.unusedOutcomes.removeFirst()
            }
            switch OrderSaga.decide(step, outcome, failedAttempts: failedAttempts, maxPaymentAttempts: maxPaymentAttempts) {
            case .retry:
                failedAttempts += 1
            case .record(let kinds):
                failedAttempts = 0
                for kind in kinds { run.state.apply(run.state.next(kind, at: now)) }
            }
        }
        throw DriveFailure(description: "the saga did not end in 50 steps: \(run.steps)")
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        /// Answers of the remote steps, in order.
        var outcomes: [OrderSaga.Outcome]
        var maxPaymentAttempts = 3
        var deadlinePassesAfter: Int?
        var customerCancelsAfter: Int?
        var steps: [OrderSaga.Step]
        var status: OrderStatus
        var reason: CancellationReason?
        var events: [String]

        var testDescription: String { self.name }
    }

    private static let reserved = Outcome.reservation(.reserved)
    private static let committed = Outcome.reservation(.committed)
    private static let released = Outcome.reservation(.released)
    private static let authorized = Outcome.payment(.authorized, paymentId: OrderFixture.paymentId)
    private static let captured = Outcome.payment(.captured, paymentId: OrderFixture.paymentId)
    private static let voided = Outcome.payment(.voided, paymentId: OrderFixture.paymentId)
    private static let refunded = Outcome.payment(.refunded, paymentId: OrderFixture.paymentId)
    private static let declined = Outcome.payment(.declined, paymentId: OrderFixture.paymentId)
    private static let confirmedEvents = [
        "OrderPlaced", "StockReserved", "PaymentAuthorized", "StockCommitted", "PaymentCaptured", "OrderConfirmed",
    ]

    static let scenarios: [Scenario] = [
        Scenario(
            name: "everything succeeds",
            outcomes: [reserved, authorized, committed, captured],
            steps: [.reserveStock, .authorizePayment, .commitStock, .capturePayment, .confirm, .done],
            status: .confirmed,
            events: confirmedEvents
        ),
        Scenario(
            name: "out of stock",
            outcomes: [.reservation(.rejected), .reservation(.rejected)],
            steps: [.reserveStock, .releaseStock, .finishCancellation(.outOfStock), .done],
            status: .cancelled,
            reason: .outOfStock,
            events: ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "payment declined",
            // Cancelling a declined payment leaves it declined.
            outcomes: [reserved, declined, declined, released],
            steps: [.reserveStock, .authorizePayment, .cancelPayment, .releaseStock, .finishCancellation(.paymentDeclined), .done],
            status: .cancelled,
            reason: .paymentDeclined,
            events: ["OrderPlaced", "StockReserved", "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "processor unavailable, then authorized",
            outcomes: [reserved, .processorUnavailable, .processorUnavailable, authorized, committed, captured],
            steps: [
                .reserveStock, .authorizePayment, .authorizePayment, .authorizePayment, .commitStock, .capturePayment, .confirm, .done,
            ],
            status: .confirmed,
            events: confirmedEvents
        ),
        Scenario(
            name: "processor unavailable on every attempt",
            outcomes: [reserved, .processorUnavailable, .processorUnavailable, .processorUnavailable, voided, released],
            steps: [
                .reserveStock, .authorizePayment, .authorizePayment, .authorizePayment, .cancelPayment, .releaseStock,
                .finishCancellation(.paymentFailed), .done,
            ],
            status: .cancelled,
            reason: .paymentFailed,
            events: ["OrderPlaced", "StockReserved", "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "processor unavailable with a single attempt allowed",
            outcomes: [reserved, .processorUnavailable, voided, released],
            maxPaymentAttempts: 1,
            steps: [.reserveStock, .authorizePayment, .cancelPayment, .releaseStock, .finishCancellation(.paymentFailed), .done],
            status: .cancelled,
            reason: .paymentFailed,
            events: ["OrderPlaced", "StockReserved", "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "commit refused",
            outcomes: [reserved, authorized, .refused, voided, released],
            steps: [
                .reserveStock, .authorizePayment, .commitStock, .cancelPayment, .releaseStock, .finishCancellation(.deadlineExceeded), .done,
            ],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "CancellationRequested", "PaymentCancelled", "StockReleased",
                "OrderCancelled",
            ]
        ),
        Scenario(
            name: "reservation expired before the commit",
            outcomes: [reserved, authorized, .reservation(.expired), voided, .reservation(.expired)],
            steps: [
                .reserveStock, .authorizePayment, .commitStock, .cancelPayment, .releaseStock, .finishCancellation(.deadlineExceeded), .done,
            ],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "CancellationRequested", "PaymentCancelled", "StockReleased",
                "OrderCancelled",
            ]
        ),
        Scenario(
            name: "reservation already expired",
            outcomes: [.reservation(.expired), .reservation(.expired)],
            steps: [.reserveStock, .releaseStock, .finishCancellation(.deadlineExceeded), .done],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "capture refused",
            outcomes: [reserved, authorized, committed, .refused, voided, released],
            steps: [
                .reserveStock, .authorizePayment, .commitStock, .capturePayment, .cancelPayment, .releaseStock,
                .finishCancellation(.paymentFailed), .done,
            ],
            status: .cancelled,
            reason: .paymentFailed,
            events: [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "StockCommitted", "CancellationRequested", "PaymentCancelled",
                "StockReleased", "OrderCancelled",
            ]
        ),
        Scenario(
            name: "deadline passed before anything",
            outcomes: [released],
            deadlinePassesAfter: 0,
            steps: [.expire, .releaseStock, .finishCancellation(.deadlineExceeded), .done],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "deadline passed after the authorization",
            outcomes: [reserved, authorized, voided, released],
            deadlinePassesAfter: 2,
            steps: [
                .reserveStock, .authorizePayment, .expire, .cancelPayment, .releaseStock, .finishCancellation(.deadlineExceeded), .done,
            ],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "CancellationRequested", "PaymentCancelled", "StockReleased",
                "OrderCancelled",
            ]
        ),
        Scenario(
            name: "processor outage outlasting the deadline",
            outcomes: [reserved, .processorUnavailable, voided, released],
            maxPaymentAttempts: 10,
            deadlinePassesAfter: 2,
            steps: [
                .reserveStock, .authorizePayment, .expire, .cancelPayment, .releaseStock, .finishCancellation(.deadlineExceeded), .done,
            ],
            status: .cancelled,
            reason: .deadlineExceeded,
            events: ["OrderPlaced", "StockReserved", "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "deadline passing during compensation keeps the first reason",
            outcomes: [.reservation(.rejected), released],
            deadlinePassesAfter: 1,
            steps: [.reserveStock, .releaseStock, .finishCancellation(.outOfStock), .done],
            status: .cancelled,
            reason: .outOfStock,
            events: ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "customer cancels before any reservation",
            outcomes: [released],
            customerCancelsAfter: 0,
            steps: [.releaseStock, .finishCancellation(.customerRequest), .done],
            status: .cancelled,
            reason: .customerRequest,
            events: ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "customer cancels after the reservation",
            outcomes: [reserved, voided, released],
            customerCancelsAfter: 1,
            steps: [.reserveStock, .cancelPayment, .releaseStock, .finishCancellation(.customerRequest), .done],
            status: .cancelled,
            reason: .customerRequest,
            events: ["OrderPlaced", "StockReserved", "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "customer cancels after reservation and authorization",
            outcomes: [reserved, authorized, voided, released],
            customerCancelsAfter: 2,
            steps: [.reserveStock, .authorizePayment, .cancelPayment, .releaseStock, .finishCancellation(.customerRequest), .done],
            status: .cancelled,
            reason: .customerRequest,
            events: [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "CancellationRequested", "PaymentCancelled", "StockReleased",
                "OrderCancelled",
            ]
        ),
        Scenario(
            name: "customer cancels a confirmed order",
            outcomes: [reserved, authorized, committed, captured, refunded, released],
            customerCancelsAfter: 5,
            steps: [
                .reserveStock, .authorizePayment, .commitStock, .capturePayment, .confirm, .cancelPayment, .releaseStock,
                .finishCancellation(.customerRequest), .done,
            ],
            status: .cancelled,
            reason: .customerRequest,
            events: confirmedEvents + ["CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
        Scenario(
            name: "answers that do not fit are retried",
            outcomes: [
                .refused, reserved, .reservation(.reserved), authorized, .none, committed, captured, .reservation(.released), refunded, released,
            ],
            customerCancelsAfter: 8,
            steps: [
                .reserveStock, .reserveStock, .authorizePayment, .authorizePayment, .commitStock, .commitStock, .capturePayment, .confirm,
                .cancelPayment, .cancelPayment, .releaseStock, .finishCancellation(.customerRequest), .done,
            ],
            status: .cancelled,
            reason: .customerRequest,
            events: confirmedEvents + ["CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled"]
        ),
    ]

    @Test(arguments: OrderSagaTests.scenarios)
    func aSagaRunsToItsEnd(scenario: Scenario) throws {
        let run = try Self.drive(
            scenario.outcomes,
            maxPaymentAttempts: scenario.maxPaymentAttempts,
            deadlinePassesAfter: scenario.deadlinePassesAfter,
            customerCancelsAfter: scenario.customerCancelsAfter
        )
        let state = run.state
        #expect(run.steps == scenario.steps)
        #expect(run.unusedOutcomes.isEmpty, "scripted outcomes left over: \(run.unusedOutcomes)")
        #expect(state.status == scenario.status)
        #expect(state.cancellationReason == scenario.reason)
        #expect(state.history.map(\.kind.type) == scenario.events)
        #expect(state.history.map(\.version) == Array(1...state.history.count))
        #expect(state.history.map(\.occurredAtMillis) == state.history.map(\.occurredAtMillis).sorted())
        #expect(OrderSaga.nextStep(state, nowMillis: Fixture.deadline + 86_400_000) == .done)

        // Invariants: a confirmed order holds its stock and its money; a cancelled one has released
        // its stock, and cancelled its payment exactly when stock had been reserved.
        switch state.status {
        case .confirmed:
            // The customer may still cancel it.
            #expect(try state.requestCancellation(at: Fixture.deadline).kind == .cancellationRequested(.customerRequest))
            #expect(state.stockCommitted && state.paymentCaptured && state.paymentId == Fixture.paymentId)
            #expect(state.cancellationRequested == nil && state.paymentCancelled == nil && !state.stockReleased)
        case .cancelled:
            #expect(throws: OrderRejection.alreadyCancelled) { try state.requestCancellation(at: Fixture.deadline) }
            #expect(state.cancellationRequested == scenario.reason)
            #expect(state.stockReleased)
            #expect((state.paymentCancelled != nil) == state.stockReserved)
        case .pending:
            Issue.record("a finished saga left the order pending")
        }

        // What the saga recorded reads back from the store as the same order and renders the same.
        let stored = try state.history.map { event in
            OrderEvent(
                kind: try OrderEventKind(type: event.kind.type, data: try event.kind.encodedData()),
                version: event.version,
                occurredAtMillis: event.occurredAtMillis
            )
        }
        #expect(OrderState(events: stored) == state)
        let view = try #require(OrderView(state))
        #expect(view.status == scenario.status)
        #expect(view.cancellationReason == scenario.reason)
        #expect(view.history.map(\.type) == scenario.events)
    }

    @Test func theCustomerCancelsOnlyWhenTheScenarioSaysSo() throws {
        let confirmed = try Self.drive(
            [Self.reserved, Self.authorized, Self.committed, Self.captured, Self.refunded, Self.released],
            customerCancelsAfter: 5
        )
        #expect(confirmed.statusAtCustomerCancellation == .confirmed)
        let pending = try Self.drive([Self.reserved, Self.authorized, Self.voided, Self.released], customerCancelsAfter: 2)
        #expect(pending.statusAtCustomerCancellation == .pending)
        let none = try Self.drive([Self.reserved, Self.authorized, Self.committed, Self.captured])
        #expect(none.statusAtCustomerCancellation == nil)
    }

    @Test func aConfirmedOrderIsRefundedAndRestockedStepByStep() throws {
        var state = Fixture.state(Fixture.forward)
        #expect(state.status == .confirmed)
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == .done)

        state.apply(try state.requestCancellation(at: Self.early))
        #expect(state.status == .confirmed)
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == .cancelPayment)

        let refund = OrderSaga.decide(.cancelPayment, Self.refunded, failedAttempts: 0, maxPaymentAttempts: 3)
        #expect(refund == .record([.paymentCancelled(status: .refunded)]))
        state.apply(state.next(.paymentCancelled(status: .refunded), at: Self.early))
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == .releaseStock)

        let restock = OrderSaga.decide(.releaseStock, Self.released, failedAttempts: 0, maxPaymentAttempts: 3)
        #expect(restock == .record([.stockReleased]))
        state.apply(state.next(.stockReleased, at: Self.early))
        #expect(state.status == .confirmed)
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == .finishCancellation(.customerRequest))

        let finish = OrderSaga.decide(.finishCancellation(.customerRequest), .none, failedAttempts: 0, maxPaymentAttempts: 3)
        #expect(finish == .record([.cancelled(.customerRequest)]))
        state.apply(state.next(.cancelled(.customerRequest), at: Self.early))
        #expect(state.status == .cancelled)
        #expect(state.cancellationReason == .customerRequest)
        #expect(state.version == 10)
        #expect(OrderSaga.nextStep(state, nowMillis: Self.early) == .done)
        #expect(throws: OrderRejection.alreadyCancelled) { try state.requestCancellation(at: Self.early) }
    }

    @Test func aDriveThatRunsOutOfAnswersFails() {
        #expect(throws: DriveFailure.self) { try Self.drive([Self.reserved]) }
        // An answer that never fits is retried until the loop bound stops the drive.
        #expect(throws: DriveFailure.self) { try Self.drive(Array(repeating: Outcome.none, count: 60)) }
    }
}
