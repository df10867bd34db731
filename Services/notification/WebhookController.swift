import Foundation
import Hummingbird
import ServiceKit

/// The caller's webhooks: `POST /v1/notifications/webhooks` (201, with the secret, shown only
/// then), `GET /v1/notifications/webhooks` (without secrets) and
/// `DELETE /v1/notifications/webhooks/{id}` (204; anyone else's id is a 404).
///
/// A URL is refused (422 on `url`) when its text is not acceptable (``WebhookURLPolicy``) and,
/// unless private hosts are allowed, when its host does not resolve now or resolves to any
/// internal address (``WebhookDestinationResolver``); deliveries check again at every attempt.
struct WebhookController: Sendable {
    let webhooks: WebhookRepository
    let policy: WebhookURLPolicy
    let destinations: WebhookDestinationResolver

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/notifications/webhooks") { request, context in
            let userID = try context.requireUserID()
            let input = try await request.decodeJSON(as: NewWebhook.self, context: context)
            let url = input.url.trimmingCharacters(in: .whitespacesAndNewlines)
            var validator = Validator()
            self.policy.check(url, field: "url", in: &validator)
            try validator.validate()
            // With private hosts allowed (tests, local receivers) there is nothing to refuse, and
            // a name that does not resolve yet is the deliveries' problem.
            if !self.destinations.allowPrivateHosts {
                do throws(WebhookDestinationRefused) {
                    _ = try await self.destinations.destination(of: url)
                } catch {
                    context.logger.info("webhook URL refused", metadata: ["reason": "\(error)", "user.id": "\(userID)"])
                    validator.check(false, "url", error.fieldMessage)
                    try validator.validate()
                }
            }
            guard
                let webhook = try await self.webhooks.create(owner: userID, url: url, secret: WebhookSignature.makeSecret(), logger: context.logger)
            else {
                throw ProblemError.conflict("You already have \(WebhookRepository.maximumPerUser) webhooks, the most allowed; delete one first.")
            }
            context.logger.info("webhook created", metadata: ["webhook.id": "\(webhook.id)", "user.id": "\(userID)"])
            return JSONResponse(status: .created, webhook)
        }
        routes.get("/v1/notifications/webhooks") { _, context in
            let userID = try context.requireUserID()
            let webhooks = try await self.webhooks.list(owner: userID, logger: context.logger)
            // At most ten: always one page.
            return JSONResponse(Page(items: webhooks, nextCursor: nil))
        }
        routes.delete("/v1/notifications/webhooks/{id}") { _, context in
            let userID = try context.requireUserID()
            let id = try context.resourceID(notFound: "No webhook has this id.")
            guard try await self.webhooks.delete(id: id, owner: userID, logger: context.logger) else {
                throw ProblemError.notFound("No webhook has this id.")
            }
            context.logger.info("webhook deleted", metadata: ["webhook.id": "\(id)", "user.id": "\(userID)"])
            return Response(status: .noContent)
        }
    }
}
