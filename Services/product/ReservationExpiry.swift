import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// Expires stock holds that were not committed in time and gives their stock back: a
/// background service polling every ``ReservationSettings/sweepInterval``.
///
/// Safe with several replicas: each sweep claims due reservations with
/// `FOR UPDATE SKIP LOCKED`, so a hold is expired by one replica only, and never while a
/// commit or release of it is in flight.
struct ReservationExpiry: Service {
    let reservations: ReservationRepository
    let interval: Duration
    let logger: Logger
    /// Holds expired per transaction; a full batch is followed by another sweep at once.
    var batchSize = 100

    func run() async {
        await cancelWhenGracefulShutdown {
            // Sleep first: at start-up the migrations that create the tables may still be running.
            while await self.pause() {
                // A full batch means more may be due: sweep again without waiting.
                var expired: Int
                repeat {
                    expired = await self.sweepLogged()
                } while expired == self.batchSize && !Task.isCancelled
            }
        }
    }

    /// Expires one batch of due holds; returns how many.
    @discardableResult
    func sweep() async throws -> Int {
        let expired = try await self.reservations.expireDue(limit: self.batchSize, logger: self.logger)
        for orderId in expired {
            self.logger.info("reservation expired", metadata: ["order.id": "\(orderId)"])
        }
        return expired.count
    }

    private func sweepLogged() async -> Int {
        do {
            return try await self.sweep()
        } catch {
            if !Task.isCancelled {
                self.logger.warning("reservation expiry failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return 0
        }
    }

    /// Waits one interval; false once the service is cancelled.
    private func pause() async -> Bool {
        do {
            try await Task.sleep(for: self.interval)
            return !Task.isCancelled
        } catch {
            return false
        }
    }
}
