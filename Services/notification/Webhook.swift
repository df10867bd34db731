import Foundation
import ServiceKit

/// A webhook as `GET /v1/notifications/webhooks` lists it: never with its secret.
struct WebhookView: Codable, Sendable, Equatable {
    var id: UUID
    var url: String
    var createdAt: Date
}

/// A webhook just created: the only time its secret is shown.
struct CreatedWebhook: Codable, Sendable, Equatable {
    var id: UUID
    var url: String
    /// The HMAC key of the deliveries' `X-Signature`.
    var secret: String
    var createdAt: Date
}

/// `POST /v1/notifications/webhooks`.
struct NewWebhook: Decodable, Sendable, BoundedInput {
    var url: String

    /// At most ``WebhookURLPolicy/maximumLength`` code points, before any resolving or storing.
    func checkBounds(_ bounds: inout InputBounds) {
        bounds.string(self.url, "url", max: WebhookURLPolicy.maximumLength)
    }
}
