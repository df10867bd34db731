import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/users/{id}`.
struct ProfileController: Sendable {
    let profiles: ProfileRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/users/{id}") { _, context in
            let id = try context.resourceID(notFound: "No user has this id.")
            guard let profile = try await self.profiles.find(id: id, logger: context.logger) else {
                throw ProblemError.notFound("No user has this id.")
            }
            return JSONResponse(profile)
        }
    }
}
