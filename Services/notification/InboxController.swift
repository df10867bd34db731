import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/notifications/{id}/read`.
struct InboxController: Sendable {
    let inbox: InboxRepository

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/notifications/{id}/read") { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let notification = try await self.inbox.markRead(id: id, logger: context.logger)
            else { throw ProblemError.notFound("No notification has this id.") }
            return JSONResponse(notification)
        }
    }
}
