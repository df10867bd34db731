import Contracts
import Foundation
import GRPCCore
import InternalAPI
import ServiceKit

/// `shop.user.v1.Profiles/CreateProfile`: a profile made from an account (a repair tool; the
/// `user.registered` event does this normally). Idempotent per account id.
struct ProfilesRPC: Shop_User_V1_Profiles.SimpleServiceProtocol {
    let profiles: ProfileRepository

    func createProfile(request: Shop_User_V1_CreateProfileRequest, context: ServerContext) async throws -> Shop_User_V1_CreateProfileResponse {
        let call = try RPCCall.requireMutation()
        guard let id = UUID(uuidString: request.accountID) else {
            throw RPCError(code: .invalidArgument, message: "accountId must be a UUID.")
        }
        guard (1...UserRegistered.maximumEmailLength).contains(request.email.count),
            (1...UserRegistered.maximumNameLength).contains(request.name.count)
        else {
            throw RPCError(
                code: .invalidArgument,
                message: "email must have 1 to \(UserRegistered.maximumEmailLength) characters and name 1 to \(UserRegistered.maximumNameLength)."
            )
        }
        let event = UserRegistered(
            userId: id,
            email: request.email,
            name: request.name,
            registeredAt: Date(timeIntervalSince1970: Double(request.registeredAtUnixMs) / 1000)
        )
        let created = try await self.profiles.create(event, logger: call.logger)
        if created { call.logger.info("profile created", metadata: ["user.id": "\(id)"]) }
        return .with { $0.created = created }
    }
}
