import Contracts
import Foundation
import InternalAPI
import Logging
import ServiceKit

/// Auth's accounts as `user.registered` describes them, read with user's service token from
/// `shop.auth.v1.Accounts/GetAccount`.
struct AccountDirectory: Sendable {
    let calls: InternalCalls

    /// The account's registration, `nil` when auth has no such account. An unreachable auth
    /// throws the problem user answers with (503 or 504).
    func registration(of id: UUID, propagation: PropagationHeaders?, logger: Logger) async throws -> UserRegistered? {
        let account: Shop_Auth_V1_Account
        do {
            account = try await self.calls.call(
                Shop_Auth_V1_Accounts.Method.GetAccount.descriptor,
                of: ServiceName.auth,
                idempotencyKey: nil,
                propagating: propagation,
                logger: logger
            ) { client, metadata, options in
                try await Shop_Auth_V1_Accounts.Client(wrapping: client).getAccount(
                    .with { $0.accountID = id.uuidString.lowercased() },
                    metadata: metadata,
                    options: options
                )
            }
        } catch ServiceClientError.rejected(_, let rejection) where rejection.code == .notFound {
            return nil
        } catch let error as ServiceClientError {
            throw error.asProblem
        }
        guard let userId = UUID(uuidString: account.accountID) else {
            throw ServiceClientError.invalidResponse(service: ServiceName.auth, reason: "an account id that is not a UUID").asProblem
        }
        return UserRegistered(
            userId: userId,
            email: account.email,
            name: account.name,
            registeredAt: Date(timeIntervalSince1970: Double(account.registeredAtUnixMs) / 1000)
        )
    }
}
