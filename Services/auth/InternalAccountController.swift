import Contracts
import Hummingbird
import ServiceKit

/// `GET /internal/accounts/{id}` (service token): an account as `user.registered` describes it,
/// so the user service can create a profile that is asked for before that event arrives.
struct InternalAccountController: Sendable {
    let accounts: AccountRepository

    func register(on routes: ServiceRoutes) {
        routes.get("/internal/accounts/{id}", scope: .accountsRead) { _, context in
            let id = try context.resourceID(notFound: "No account has this id.")
            guard let account = try await self.accounts.registration(of: id, logger: context.logger) else {
                throw ProblemError.notFound("No account has this id.")
            }
            return JSONResponse(account)
        }
    }
}
