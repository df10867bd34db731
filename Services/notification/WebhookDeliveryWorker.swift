import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import ServiceKit
import ServiceLifecycle

/// POSTs new notifications to their owners' webhooks: a background service that claims due
/// deliveries every ``WebhookSettings/pollInterval`` and sends them, signed, in parallel.
///
/// A 2xx answer marks a delivery delivered; anything else, or no answer in time, is retried
/// with backoff until ``WebhookSettings/maxAttempts``, then the delivery is `dead` (a warning
/// and `webhook_deliveries_dead_total`). Safe with several replicas: claims use
/// `FOR UPDATE SKIP LOCKED` and a lease. On graceful shutdown the wait between polls is
/// cancelled and attempts in flight finish (each is bounded by the timeout).
///
/// SSRF: every attempt resolves the webhook's host again and refuses it when any address is
/// internal (``WebhookDestinationResolver``), then connects to exactly the address it checked,
/// through the webhooks' own HTTP clients (``WebhookHTTPClients``: no redirects, no service
/// token, never the client that calls other services).
struct WebhookDeliveryWorker: Service {
    let deliveries: WebhookDeliveryRepository
    let destinations: WebhookDestinationResolver
    let clients: WebhookHTTPClients
    let secrets: WebhookSecretCipher
    let settings: WebhookSettings
    let logger: Logger
    /// Deliveries claimed (and sent concurrently) at a time; a full batch is followed by
    /// another at once.
    var batchSize = 20

    func run() async {
        MetricCatalog.declareCounter("webhook_deliveries_total", dimension: "outcome", values: ["delivered", "failed", "dead"])
        MetricCatalog.declareCounter("webhook_deliveries_refused_total")
        MetricCatalog.declareCounter("webhook_deliveries_dead_total")
        // Sleep first: at start-up the migrations that create the tables may still be running.
        while await self.pause() {
            var claimed: Int
            repeat {
                claimed = await self.deliverDueLogged()
            } while claimed == self.batchSize && !Task.isShuttingDownGracefully && !Task.isCancelled
        }
        await self.clients.shutdown()
    }

    /// Claims one batch of due deliveries and attempts each; returns how many were claimed.
    @discardableResult
    func deliverDue() async throws -> Int {
        // Long enough for every attempt of the batch to end before another replica may retry it.
        let lease = self.settings.timeout * 2 + .seconds(10)
        let batch = try await self.deliveries.claimDue(limit: self.batchSize, lease: lease, logger: self.logger)
        await withTaskGroup(of: Void.self) { group in
            for delivery in batch {
                group.addTask { await self.attempt(delivery) }
            }
        }
        return batch.count
    }

    /// One attempt of one delivery, and its outcome recorded.
    func attempt(_ delivery: WebhookDelivery) async {
        var logger = self.logger
        logger[metadataKey: "delivery.id"] = "\(delivery.id)"
        logger[metadataKey: "webhook.id"] = "\(delivery.webhookID)"
        logger[metadataKey: "notification.id"] = "\(delivery.payload.id)"
        logger[metadataKey: "delivery.attempt"] = "\(delivery.attempt)"
        let statusCode: Int?
        let failure: String?
        do {
            let code = try await self.send(delivery, logger: logger)
            statusCode = code
            failure = (200..<300).contains(code) ? nil : "answered HTTP \(code)"
        } catch {
            // Cancelled by a hard shutdown: the lease runs out and the delivery is tried again.
            if Task.isCancelled { return }
            statusCode = nil
            failure = Self.isTimeout(error) ? "no answer within \(self.settings.timeout)" : "\(error)"
            if case .internalAddress = error as? WebhookDestinationRefused {
                Counter(label: "webhook_deliveries_refused_total").increment()
                logger.warning("webhook delivery refused: its host resolves to an internal address", metadata: ["error": "\(error)"])
            }
        }
        do {
            if let failure {
                try await self.recordFailure(delivery, statusCode: statusCode, error: failure, logger: logger)
            } else {
                try await self.deliveries.markDelivered(delivery, statusCode: statusCode ?? 200, logger: logger)
                Counter(label: "webhook_deliveries_total", dimensions: [("outcome", "delivered")]).increment()
                logger.info("webhook delivered", metadata: ["http.status": "\(statusCode ?? 0)"])
            }
        } catch {
            logger.warning("could not record a webhook delivery attempt", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// POSTs the payload, signed, to the checked address of the webhook's host; returns the
    /// answer's status code.
    private func send(_ delivery: WebhookDelivery, logger: Logger) async throws -> Int {
        let secret = try self.secrets.open(delivery.secret)
        let destination = try await self.destinations.destination(of: delivery.url)
        let body = try WireJSON.encoder().encode(delivery.payload)
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "swift-shop-webhooks/1")
        request.headers.add(name: "X-Webhook-Id", value: delivery.id.uuidString)
        request.headers.add(name: "X-Signature", value: WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp))
        request.body = .bytes(ByteBuffer(bytes: body))
        let clients = self.clients
        let signed = request
        let timeout = self.settings.timeout
        // The client's timeout ends at the response head; the deadline also bounds the body.
        return try await withDeadline(timeout) {
            try await clients.withClient(for: destination) { client in
                let response = try await client.execute(signed, timeout: .nanoseconds(timeout.nanoseconds), logger: logger)
                // The answer's content does not matter, but reading it frees the connection.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return Int(response.status.code)
            }
        }
    }

    /// Either deadline of ``send(_:logger:)`` ran out (the client's or the whole exchange's).
    private static func isTimeout(_ error: any Error) -> Bool {
        error is DeadlineExceeded || (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout } == true
    }

    private func recordFailure(_ delivery: WebhookDelivery, statusCode: Int?, error: String, logger: Logger) async throws {
        let retry = DeliveryRetry.after(attempt: delivery.attempt, settings: self.settings)
        let recorded = try await self.deliveries.markFailed(delivery, statusCode: statusCode, error: error, retry: retry, logger: logger)
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if let statusCode { metadata["http.status"] = "\(statusCode)" }
        switch retry {
        case .retry(let wait):
            Counter(label: "webhook_deliveries_total", dimensions: [("outcome", "failed")]).increment()
            metadata["retry.in"] = "\(Double(wait / .milliseconds(1)) / 1000)"
            logger.info("webhook delivery failed; will retry", metadata: metadata)
        case .dead:
            guard recorded else { return }
            Counter(label: "webhook_deliveries_total", dimensions: [("outcome", "dead")]).increment()
            Counter(label: "webhook_deliveries_dead_total").increment()
            logger.warning("webhook delivery dead-lettered", metadata: metadata)
        }
    }

    private func deliverDueLogged() async -> Int {
        do {
            return try await self.deliverDue()
        } catch {
            if !Task.isCancelled {
                self.logger.warning("webhook delivery failed to claim", metadata: ["error": "\(String(reflecting: error))"])
            }
            return 0
        }
    }

    /// Waits one poll interval; false once a graceful shutdown began or the service was cancelled.
    private func pause() async -> Bool {
        guard !Task.isShuttingDownGracefully else { return false }
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) }
            return !Task.isCancelled && !Task.isShuttingDownGracefully
        } catch {
            return false
        }
    }
}
