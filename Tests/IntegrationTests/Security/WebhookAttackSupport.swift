import Foundation
import PostgresNIO
import Testing

/// Helpers for the webhook attacks (API7 SSRF, API10 unsafe consumption).
enum WebhookAttack {
    static let path = "/v1/notifications/webhooks"

    /// One row of `webhook_deliveries`, as notification records an attempt.
    struct Delivery: Sendable {
        var status: String
        var attempts: Int
        var lastStatusCode: Int?
        var lastError: String?
    }

    /// Runs `body` with the base URL of a gateway in front of a notification that refuses internal
    /// webhook hosts, as in production (the shared stack's notification allows them: its receivers
    /// listen on 127.0.0.1). Both are the suite's own processes, stopped whatever happens; neither
    /// is in the registry, so the shared gateway never sends them anything.
    static func withProductionWebhooks<T>(_ stack: Stack, label: String, _ body: (String) async throws -> T) async throws -> T {
        let settings = ["WEBHOOK_ALLOW_PRIVATE_HOSTS": "false", "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "3"]
        return try await ExtraNotification.with(stack, label: label, settings: settings) { port in
            let routing: [String: String?] = ["DISCOVERY_BACKEND": "static", "SERVICES_NOTIFICATION_URLS": "http://127.0.0.1:\(port)"]
            return try await ExtraGateway.with(stack, label: label, settings: routing) { gateway in
                try await body("http://127.0.0.1:\(gateway.port)")
            }
        }
    }

    /// Registers `url` as a webhook of `session` at the gateway `base`; whatever it answers.
    static func register(_ stack: Stack, base: String, _ session: Session, url: String) async throws -> HTTPResult {
        try await stack.http.send(.POST, base + Self.path, json: try canonicalJSON(["url": url]), headers: [bearer(session.accessToken)])
    }

    /// Expects `url` to be refused at registration: a 422 naming `url`.
    static func expectRefused(
        _ stack: Stack,
        base: String,
        _ session: Session,
        url: String,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let response = try await Self.register(stack, base: base, session, url: url)
        #expect(response.status == 422, "\(url) must be refused: \(response.status) \(response.text.prefix(300))", sourceLocation: sourceLocation)
        expectValidationProblem(response, path: Self.path, fields: ["url"], sourceLocation: sourceLocation)
    }

    /// How many webhooks `session` has, read through the shared gateway.
    static func count(_ stack: Stack, _ session: Session) async throws -> Int {
        let listed = try await stack.http.send(.GET, stack.url(Self.path), headers: [bearer(session.accessToken)])
        guard listed.status == 200, let items = try listed.jsonObject()["items"] as? [Any] else {
            throw HarnessError("GET \(Self.path): \(listed.status) \(listed.text.prefix(300))")
        }
        return items.count
    }

    /// Places a confirmed order for `session`: a notification for each of its webhooks.
    static func notify(_ stack: Stack, _ session: Session) async throws {
        let order = try await Attack.victimsOrder(stack, session)
        try #require(order.status == "confirmed", "the order that triggers the delivery: \(order.outcome)")
    }

    /// The deliveries to webhook `id`.
    static func deliveries(webhook id: String) async throws -> [Delivery] {
        guard let webhook = UUID(uuidString: id) else { throw HarnessError("not a webhook id: \(id)") }
        return try await ServiceDatabase.withClient("notification") { client in
            let rows = try await client.query(
                "SELECT status, attempts, last_status_code, last_error FROM webhook_deliveries WHERE webhook_id = \(webhook)",
                logger: ServiceDatabase.logger
            )
            var found: [Delivery] = []
            for try await (status, attempts, code, error) in rows.decode((String, Int32, Int32?, String?).self) {
                found.append(Delivery(status: status, attempts: Int(attempts), lastStatusCode: code.map(Int.init), lastError: error))
            }
            return found
        }
    }

    /// Polls (bounded) until a delivery to webhook `id` satisfies `condition`; that delivery.
    static func awaitDelivery(
        webhook id: String,
        within timeout: Duration = .seconds(60),
        _ what: String,
        where condition: (Delivery) -> Bool
    ) async throws -> Delivery {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var last: [Delivery] = []
        while ContinuousClock.now < deadline {
            last = try await Self.deliveries(webhook: id)
            if let match = last.first(where: condition) { return match }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("no delivery to webhook \(id) \(what) within \(timeout); deliveries: \(last)")
    }

    /// Expects notification to answer ready (it survived what a receiver did to it).
    static func expectNotificationReady(_ stack: Stack, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let ready = try await stack.http.send(.GET, try stack.url("/health/ready", on: "notification"))
        #expect(ready.status == 200, "notification is still ready: \(ready.status) \(ready.text.prefix(200))", sourceLocation: sourceLocation)
    }
}
