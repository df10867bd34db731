import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/auth/register`.
struct RegistrationController: Sendable {
    let accounts: AccountRepository
    let hasher: PasswordHasher
    /// Registrations per client address.
    let limit: ClientAttemptLimit

    struct Registration: Decodable, Sendable, BoundedInput {
        var email: String
        var password: String
        var name: String

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.email, "email", max: CredentialBounds.email)
            bounds.string(self.password, "password", max: CredentialBounds.password)
            bounds.string(self.name, "name", max: CredentialBounds.name)
        }
    }

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/auth/register") { request, context in try await self.register(request, context: context) }
    }

    func register(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<Account> {
        let input = try await request.decodeJSON(as: Registration.self, context: context)
        let email = EmailAddress.normalize(input.email)
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        var validator = Validator()
        validator.check(EmailAddress.isValid(email), "email", "must be a valid email address")
        validator.check(input.password.count >= 8, "password", "must be 8 to \(CredentialBounds.password) characters")
        validator.check(!name.isEmpty, "name", "must be 1 to \(CredentialBounds.name) characters")
        try validator.validate()
        // Counted before the password is hashed and the account written; a taken email counts too.
        _ = try await self.limit.take(client: request.clientAddress(context: context), logger: context.logger)
        let hash = try await self.hasher.hash(input.password)
        guard
            let account = try await self.accounts.create(
                email: email,
                name: name,
                passwordHash: hash,
                roles: ["customer"],
                propagation: context.propagationHeaders,
                logger: context.logger
            )
        else { throw ProblemError.conflict("An account with this email already exists.") }
        context.logger.info("account registered", metadata: ["account.id": "\(account.id)"])
        return JSONResponse(status: .created, headers: [.location: "/v1/users/\(account.id.uuidString.lowercased())"], account)
    }
}

/// Email normalisation and a deliberately simple syntax check (the real check is the
/// confirmation mail a later issue may add).
enum EmailAddress {
    static func normalize(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func isValid(_ email: String) -> Bool {
        guard (3...CredentialBounds.email).contains(email.count), !email.contains(where: { $0.isWhitespace }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
