import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/auth/register`.
struct RegistrationController: Sendable {
    let accounts: AccountRepository
    let hasher: PasswordHasher

    struct Registration: Decodable, Sendable {
        var email: String
        var password: String
        var name: String
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
        validator.check((8...128).contains(input.password.count), "password", "must be 8 to 128 characters")
        validator.check((1...100).contains(name.count), "name", "must be 1 to 100 characters")
        try validator.validate()
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
        guard (3...254).contains(email.count), !email.contains(where: { $0.isWhitespace }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
