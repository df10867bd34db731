import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceKit
import ServiceLifecycle

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
    /// How often an idle worker looks for due sagas.
    var pollInterval: Duration

    init(settings: SettingsReader) throws {
        self.deadline = try settings.seconds("saga.deadlineSeconds", default: .seconds(120), range: 1...86_400)
        self.maxPaymentAttempts = try settings.int("saga.paymentAttempts", default: 4, range: 1...100)
        self.retry = Backoff(
            initial: try settings.seconds("saga.retryInitialSeconds", default: .milliseconds(500), range: 0.01...60),
            maximum: try settings.seconds("saga.retryMaxSeconds", default: .seconds(10), range: 0.01...3_600)
        )
        self.concurrency = try settings.int("saga.concurrency", default: 4, range: 1...64)
        self.pollInterval = try settings.seconds("saga.pollSeconds", default: .milliseconds(100), range: 0.01...60)
    }
}

/// Drives every order's saga to its end: a background service with `concurrency` workers, each
/// claiming one due saga at a time (`FOR UPDATE SKIP LOCKED`, so replicas share the work and
/// never run the same saga twice at once), performing its next step and recording the outcome
/// in the same transaction as the schedule. It resumes whatever was in flight at start-up.
struct SagaRunner: Service {
    let store: OrderStore
    let effects: SagaEffects
    let settings: SagaSettings
    let logger: Logger

    func run() async throws {
        try await runUntilShutdown {
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
            } catch is ConcurrencyConflict {
                didWork = true  // someone else changed the order: look again at once
            } catch {
                logger.warning("saga step failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if !didWork { try await Task.sleep(for: self.settings.pollInterval) }
        }
    }

    /// Claims one due saga and advances it by one step; false when nothing was due.
    @discardableResult
    func runOnce(logger: Logger) async throws -> Bool {
        try await self.store.database.transaction(logger: logger) { connection in
            guard let claim = try await SagaSchedule.claimDue(on: connection, logger: logger) else { return false }
            var logger = logger
            logger[metadataKey: "order.id"] = "\(claim.orderId)"
            let state = try await self.store.load(claim.orderId, on: connection, logger: logger)
            let now = OrderEvent.nowMillis()
            let step = OrderSaga.nextStep(state, nowMillis: now)
            guard step != .done else {
                try await SagaSchedule.finish(claim.orderId, on: connection, logger: logger)
                return true
            }
            let outcome: OrderSaga.Outcome
            do {
                outcome = try await self.effects.perform(step, for: state, logger: logger)
            } catch {
                let delay = self.settings.retry.delay(afterAttempt: claim.failedAttempts + 1)
                logger.info("saga step will be retried", metadata: ["saga.step": "\(step)", "retry.in": "\(delay)", "error": "\(error)"])
                try await SagaSchedule.postpone(claim.orderId, by: delay, error: "\(error)", on: connection, logger: logger)
                return true
            }
            switch OrderSaga.decide(step, outcome, failedAttempts: claim.processorFailures, maxPaymentAttempts: self.settings.maxPaymentAttempts) {
            case .retry:
                let delay = self.settings.retry.delay(afterAttempt: claim.failedAttempts + 1)
                logger.info("saga step will be retried", metadata: ["saga.step": "\(step)", "saga.outcome": "\(outcome)"])
                try await SagaSchedule.postpone(
                    claim.orderId,
                    by: delay,
                    error: "\(outcome)",
                    processorFailure: outcome == .processorUnavailable,
                    on: connection,
                    logger: logger
                )
            case .record(let kinds):
                var events: [OrderEvent] = []
                var current = state
                for kind in kinds {
                    let event = current.next(kind, at: now)
                    current.apply(event)
                    events.append(event)
                }
                try await self.store.append(events, to: state, orderId: claim.orderId, on: connection, logger: logger)
                try await SagaSchedule.advance(claim.orderId, on: connection, logger: logger)
                for event in events {
                    logger.info("order event recorded", metadata: ["event.type": "\(event.kind.type)", "event.version": "\(event.version)"])
                    Counter(label: "order_saga_events_total", dimensions: [("type", event.kind.type)]).increment()
                }
            }
            return true
        }
    }
}
