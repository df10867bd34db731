import Contracts
import Foundation
import GRPCCore
import InternalAPI
import ServiceKit

/// `shop.auth.v1.Accounts`: an account as `user.registered` describes it, so the user service
/// can create a profile that is asked for before that event arrives.
struct AccountsRPC: Shop_Auth_V1_Accounts.SimpleServiceProtocol {
    let accounts: AccountRepository

    func getAccount(request: Shop_Auth_V1_GetAccountRequest, context: ServerContext) async throws -> Shop_Auth_V1_Account {
        let call = try RPCCall.require()
        guard let id = UUID(uuidString: request.accountID),
            let account = try await self.accounts.registration(of: id, logger: call.logger)
        else {
            throw RPCError(code: .notFound, message: "No account has this id.")
        }
        return .with {
            $0.accountID = account.userId.uuidString.lowercased()
            $0.email = account.email
            $0.name = account.name
            $0.registeredAtUnixMs = Int64((account.registeredAt.timeIntervalSince1970 * 1000).rounded())
        }
    }
}
