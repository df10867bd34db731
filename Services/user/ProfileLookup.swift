import Foundation
import Logging
import ServiceKit

/// Reads your writes: a profile is normally created from auth's `user.registered` event, but a
/// client that registers and at once opens its profile must not see 404 while that event is on
/// its way. On a miss the profile is created from the account auth holds (the same data the
/// event carries), and the event, when it comes, finds it there and changes nothing (both
/// insert with `ON CONFLICT (id) DO NOTHING`, so a name changed meanwhile stays changed).
struct ProfileLookup: Sendable {
    let profiles: ProfileRepository
    let accounts: AccountDirectory

    /// The profile of `id`, created first if auth has the account; `nil` when there is none.
    func find(_ id: UUID, propagation: PropagationHeaders?, logger: Logger) async throws -> Profile? {
        if let profile = try await self.profiles.find(id: id, logger: logger) { return profile }
        guard try await self.provision(id, propagation: propagation, logger: logger) else { return nil }
        return try await self.profiles.find(id: id, logger: logger)
    }

    /// Creates the profile of `id` from auth's account if it is missing; whether it exists now.
    func provision(_ id: UUID, propagation: PropagationHeaders?, logger: Logger) async throws -> Bool {
        guard let account = try await self.accounts.registration(of: id, propagation: propagation, logger: logger) else { return false }
        if try await self.profiles.create(account, logger: logger) {
            logger.info("profile created ahead of its event", metadata: ["user.id": "\(id)"])
        }
        return true
    }
}
