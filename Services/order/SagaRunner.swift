import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Tracing

/// Settings of the checkout saga.
struct SagaSettings: Sendable {
    /// A still-pending order is cancelled and compensated after this long.
    var deadline: Duration
    /// Transient payment processor failures before the order is cancelled with `payment_failed`.
    var maxPaymentAttempts: Int
    /// Backoff between retries of a failing step.
    var retry: Backoff
    /// Sagas worked on at once by this process.
    var concurrency: Int
    /// How often an idle worker looks for due sagas (retries that came due, orders placed by
    /// another replica); orders placed or cancelled by this process wake a worker at once.
    var pollInterval: Duration
    /// How long a claimed saga is this runner's alone; its step's calls must end well within.
    var lease: Duration

    /// The time a step's remote calls may take: two thirds of the lease, so the outcome is
    /// recorded before the lease runs out even when a call uses its whole budget.
    var stepBudget: Duration { self.lease * 2 / 3 }

    init(settings: SettingsReader) throws {
        self.deadline = try settings.seconds("saga.deadlineSeconds", default: .seconds(120), range: 1...86_400)
        self.maxPaymentAttempts = try settings.int("saga.paymentAttempts", default: 4, range: 1...100)
        self.retry = Backoff(
            initial: try settings.seconds("saga.retryInitialSeconds", default: .milliseconds(500), range: 0.01...60),
            maximum: try settings.seconds("saga.retryMaxSeconds", default: .seconds(10), range: 0.01...3_600)
        )
        self.concurrency = try settings.int("saga.concurrency", default: 16, range: 1...64)
        self.pollInterval = try settings.seconds("saga.pollSeconds", default: .seconds(1), range: 0.01...60)
        self.lease = try settings.seconds("saga.leaseSeconds", default: .seconds(30), range: 1...3_600)
    }
}

/// Drives every order's saga to its end: a background service with `concurrency` workers, each
/// leasing one due saga at a time (replicas share the work and never run the same saga at
/// once) and taking it as far as it goes: each step runs with no transaction or row lock open,
/// then its outcome is recorded together with the schedule (lease renewed, or the row gone
/// when the saga ended) in one short transaction. It resumes whatever was in
/// flight at start-up, once the leases of a crashed runner run out.
struct SagaRunner: Service {
    let store: OrderStore
    let effects: SagaEffects
    let settings: SagaSettings
    /// This runner's stable name (its host and port): a restarted process takes back its leases.
    let name: String
    /// Signalled when an order is placed or cancelled here: an idle worker starts at once
    /// instead of at its next poll.
    let wake: WakeSignal
    let logger: Logger

    /// The order changed while its step ran, or the lease ran out: the outcome is not recorded.
    private struct LeaseLost: Error {}

    func run() async throws {
        OrderMetrics.declare()
        // Inside the start-up gate: the migrations (saga_schedule itself) come first.
        try await runUntilShutdown {
            do {
                let reclaimed = try await SagaSchedule.reclaim(leasedBy: self.name, on: self.store.database.client, logger: self.logger)
                if reclaimed > 0 {
                    self.logger.info("took back the sagas an earlier process here had leased", metadata: ["saga.count": "\(reclaimed)"])
                }
            } catch {
                // Not fatal: those leases run out by themselves.
                self.logger.warning("could not take back earlier leases", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<self.settings.concurrency {
                    group.addTask { try await self.work(worker: worker) }
                }
                try await group.waitForAll()
            }
        }
    }

    private func work(worker: Int) async throws {
        var logger = self.logger
        logger[metadataKey: "saga.worker"] = "\(worker)"
        while !Task.isCancelled {
            var didWork = false
            do {
                didWork = try await self.runOnce(logger: logger)
            } catch {
                logger.warning("saga step failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if !didWork {
                await self.wake.wait(upTo: self.settings.pollInterval)
                try Task.checkCancellation()
            }
        }
    }

    /// Leases one due saga and drives it as far as it goes under that lease: step after step
    /// (reloading the order before each, so a customer's cancellation is seen between them)
    /// until it is done, must wait for a retry, or the order changed under it. False when
    /// nothing was due.
    @discardableResult
    func runOnce(logger: Logger) async throws -> Bool {
        guard var claim = try await SagaSchedule.claimDue(lease: self.settings.lease, by: self.name, on: self.store.database.client, logger: logger)
        else {
            return false
        }
        // More may be due: another idle worker looks too.
        self.wake.signal()
        var logger = logger
        logger[metadataKey: "order.id"] = "\(claim.orderId)"
        while try await self.step(&claim, logger: &logger) {}
        return true
    }

    /// Performs the claimed saga's next step and records its outcome (with any local steps that
    /// follow it, such as confirming after the capture) in one transaction that also renews the
    /// lease. True when the saga goes on at once under the same lease.
    private func step(_ claim: inout SagaSchedule.Claim, logger: inout Logger) async throws -> Bool {
        let state = try await self.store.load(claim.orderId, logger: logger)
        let now = OrderEvent.nowMillis()
        let step = OrderSaga.nextStep(state, nowMillis: now)
        if step == .done {
            try await SagaSchedule.finish(claim, on: self.store.database.client, logger: logger)
            return false
        }
        if let placement = state.placement {
            logger[metadataKey: "correlation.id"] = "\(placement.correlationId ?? placement.orderId.uuidString)"
        }
        // Each step is a span of the trace of the request that placed the order: its calls and
        // the events it records continue that trace.
        let span = InstrumentationSystem.tracer.startAnySpan(
            "saga \(step.metricLabel)",
            context: TracePropagation.context(continuing: state.placement?.traceparent)
        )
        span.updateAttributes { attributes in
            attributes["order.id"] = claim.orderId.uuidString
            attributes["saga.attempt"] = claim.failedAttempts + 1
        }
        defer { span.end() }
        let started = ContinuousClock.now
        defer {
            Metrics.Timer(label: "order_saga_step_duration_seconds", dimensions: [("step", step.metricLabel)]).recordNanoseconds(
                (ContinuousClock.now - started).nanoseconds
            )
        }
        do {
            return try await InstrumentationContext.$current.withValue(span.context) {
                try await self.perform(step, of: state, at: now, claim: &claim, logger: logger)
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Runs `step` and records what came of it (see ``step(_:logger:)``).
    private func perform(
        _ step: OrderSaga.Step,
        of state: OrderState,
        at now: Int64,
        claim: inout SagaSchedule.Claim,
        logger: Logger
    ) async throws -> Bool {
        let database = self.store.database
        let outcome: OrderSaga.Outcome
        do {
            outcome = try await self.effects.perform(step, for: state, budget: self.settings.stepBudget, logger: logger)
        } catch {
            Counter(label: "order_saga_step_retries_total", dimensions: [("step", step.metricLabel)]).increment()
            let delay = self.settings.retry.delay(afterAttempt: claim.failedAttempts + 1)
            logger.info("saga step will be retried", metadata: ["saga.step": "\(step)", "retry.in": "\(delay)", "error": "\(error)"])
            try await SagaSchedule.postpone(claim, by: delay, error: "\(error)", on: database.client, logger: logger)
            return false
        }
        let kinds: [OrderEventKind]
        switch OrderSaga.decide(step, outcome, failedAttempts: claim.processorFailures, maxPaymentAttempts: self.settings.maxPaymentAttempts) {
        case .retry:
            Counter(label: "order_saga_step_retries_total", dimensions: [("step", step.metricLabel)]).increment()
            let delay = self.settings.retry.delay(afterAttempt: claim.failedAttempts + 1)
            logger.info("saga step will be retried", metadata: ["saga.step": "\(step)", "saga.outcome": "\(outcome)"])
            try await SagaSchedule.postpone(
                claim,
                by: delay,
                error: "\(outcome)",
                processorFailure: outcome == .processorUnavailable,
                on: database.client,
                logger: logger
            )
            return false
        case .record(let recorded):
            kinds = recorded
        }
        let (events, next) = Self.events(kinds, after: state, nowMillis: now)
        let finished = next == .done
        do {
            try await database.transaction(logger: logger) { connection in
                try await self.store.append(events, to: state, orderId: claim.orderId, on: connection, logger: logger)
                let held =
                    finished
                    ? try await SagaSchedule.finish(claim, on: connection, logger: logger)
                    : try await SagaSchedule.renew(claim, lease: self.settings.lease, on: connection, logger: logger)
                guard held else { throw LeaseLost() }
            }
        } catch is ConcurrencyConflict {
            // A customer's cancellation (or another writer) came first: decide again from
            // the new state. The step's effect is idempotent, so nothing is lost.
            logger.info("order changed during a saga step; looking again", metadata: ["saga.step": "\(step)"])
            try await SagaSchedule.release(claim, on: database.client, logger: logger)
            return false
        } catch is LeaseLost {
            logger.warning("saga lease ran out before the step was recorded; another runner has it", metadata: ["saga.step": "\(step)"])
            return false
        }
        for event in events {
            logger.info("order event recorded", metadata: ["event.type": "\(event.kind.type)", "event.version": "\(event.version)"])
            OrderMetrics.recorded(event, placedAtMillis: state.history.first?.occurredAtMillis)
        }
        claim.failedAttempts = 0
        claim.processorFailures = 0
        return !finished
    }

    /// The events of `kinds` after `state`, followed by those of the local steps that come next
    /// (confirm, expire, finish a cancellation: they need no call), and the step after them all.
    static func events(_ kinds: [OrderEventKind], after state: OrderState, nowMillis: Int64) -> ([OrderEvent], OrderSaga.Step) {
        var events: [OrderEvent] = []
        var current = state
        var pending = kinds
        // Each local step records what makes the next one differ; the bound only guards that.
        for _ in 0..<8 {
            for kind in pending {
                let event = current.next(kind, at: nowMillis)
                current.apply(event)
                events.append(event)
            }
            let next = OrderSaga.nextStep(current, nowMillis: nowMillis)
            guard next.isLocal, case .record(let more) = OrderSaga.decide(next, .none, failedAttempts: 0, maxPaymentAttempts: 1), !more.isEmpty
            else { return (events, next) }
            pending = more
        }
        return (events, OrderSaga.nextStep(current, nowMillis: nowMillis))
    }
}
