import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/notifications/{id}/read`.
struct InboxController: Sendable {
    let inbox: InboxRepository

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/notifications/{id}/read") { _, context in
            let id = try context.resourceID(notFound: "No notification has this id.")
            guard let notification = try await self.inbox.markRead(id: id, logger: context.logger) else {
                throw ProblemError.notFound("No notification has this id.")
            }
            return JSONResponse(notification)
        }
    }
}
