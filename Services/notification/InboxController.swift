import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/notifications/{id}/read`.
struct InboxController: Sendable {
    let inbox: InboxRepository

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/notifications/{id}/read") { _, context in
            let owner = try context.requireUserID()
            let id = try context.resourceID(notFound: "No notification has this id.")
            // Only the owner's own notification matches: anyone else's id is a 404.
            guard let notification = try await self.inbox.markRead(id: id, owner: owner, logger: context.logger) else {
                throw ProblemError.notFound("No notification has this id.")
            }
            return JSONResponse(notification)
        }
    }
}
