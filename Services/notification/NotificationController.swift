import Foundation
import Hummingbird
import ServiceKit

/// The caller's own notifications: `GET /v1/notifications` (newest first, paged) and
/// `POST /v1/notifications/{id}/read`. Anyone else's notification answers 404.
struct NotificationController: Sendable {
    let notifications: NotificationRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/notifications") { request, context in
            let userID = try context.requireUserID()
            var validator = Validator()
            let page = PageRequest(uri: request.uri, validator: &validator)
            let cursor = page.cursor.map { Cursor.decode($0, as: NotificationCursor.self) }
            validator.check(cursor.map { $0 != nil } ?? true, "cursor", "is not a cursor of this list")
            try validator.validate()
            let notifications = try await self.notifications.list(owner: userID, after: cursor ?? nil, limit: page.limit, logger: context.logger)
            return JSONResponse(notifications)
        }
        routes.post("/v1/notifications/{id}/read") { _, context in
            let userID = try context.requireUserID()
            let id = try context.resourceID(notFound: "No notification has this id.")
            // Only the owner's own notification matches: anyone else's id is a 404.
            guard let notification = try await self.notifications.markRead(id: id, owner: userID, logger: context.logger) else {
                throw ProblemError.notFound("No notification has this id.")
            }
            return JSONResponse(notification)
        }
    }
}
