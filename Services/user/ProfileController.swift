import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The profile routes: the caller's own (`/v1/users/me`), one by id (owner or admin), the
/// admin listing. A profile
/// asked for before its `user.registered` event arrived is created on the spot (``ProfileLookup``).
struct ProfileController: Sendable {
    let profiles: ProfileRepository
    let lookup: ProfileLookup

    func register(on routes: ServiceRoutes) {
        routes.get("/v1/users/me") { _, context in
            let id = try context.requireUserID()
            return JSONResponse(try await self.profile(id, context: context))
        }
        routes.patch("/v1/users/me") { request, context in
            let id = try context.requireUserID()
            var changes = try await request.decodeJSON(as: ProfileChanges.self, context: context)
            changes.normalize()
            try changes.validate()
            var updated = try await self.profiles.update(id: id, changes: changes, propagation: context.propagationHeaders, logger: context.logger)
            if updated == nil, try await self.lookup.provision(id, propagation: context.propagationHeaders, logger: context.logger) {
                updated = try await self.profiles.update(id: id, changes: changes, propagation: context.propagationHeaders, logger: context.logger)
            }
            guard let profile = updated else { throw ProblemError.notFound("No user has this id.") }
            context.logger.info("profile updated", metadata: ["user.id": "\(id)"])
            return JSONResponse(profile)
        }
        routes.get("/v1/users") { request, context in
            _ = try context.requireAdmin()
            var validator = Validator()
            let page = PageRequest(uri: request.uri, validator: &validator)
            let cursor = page.cursor.map { Cursor.decode($0, as: ProfileCursor.self) }
            validator.check(cursor.map { $0 != nil } ?? true, "cursor", "is not a cursor of this list")
            try validator.validate()
            return try await self.profiles.list(after: cursor ?? nil, limit: page.limit, logger: context.logger)
        }
        routes.get("/v1/users/{id}") { _, context in
            let id = try context.resourceID(notFound: "No user has this id.")
            try context.requireOwner(id, notFound: "No user has this id.")
            return JSONResponse(try await self.profile(id, context: context))
        }
    }

    private func profile(_ id: UUID, context: ServiceRequestContext) async throws -> Profile {
        guard let profile = try await self.lookup.find(id, propagation: context.propagationHeaders, logger: context.logger) else {
            throw ProblemError.notFound("No user has this id.")
        }
        return profile
    }
}
