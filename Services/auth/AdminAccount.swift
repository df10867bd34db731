import Logging
import ServiceKit

/// The administrator seeded at first start from `ADMIN_EMAIL` / `ADMIN_PASSWORD`.
struct AdminAccount: Sendable {
    static let developmentEmail = "admin@example.com"
    static let developmentPassword = "change-me-now"

    let email: String
    let password: String

    init(settings: SettingsReader) throws {
        self.email = EmailAddress.normalize(settings.string("admin.email", default: Self.developmentEmail))
        self.password = settings.raw("admin.password", secret: true) ?? Self.developmentPassword
        guard EmailAddress.isValid(self.email) else {
            throw ConfigurationError(setting: "ADMIN_EMAIL", problem: "must be a valid email address")
        }
        // At most what login accepts (code points), or the admin could never log in.
        guard self.password.count >= 8, self.password.unicodeScalars.count <= CredentialBounds.password else {
            throw ConfigurationError(setting: "ADMIN_PASSWORD", problem: "must be 8 to 128 characters")
        }
    }

    /// Creates the account unless it exists; an existing account is left as it is.
    func ensureExists(in accounts: AccountRepository, hasher: PasswordHasher, logger: Logger) async throws {
        guard try await !accounts.exists(email: self.email, logger: logger) else { return }
        let hash = try await hasher.hash(self.password)
        if try await accounts.create(email: self.email, name: "Administrator", passwordHash: hash, roles: ["admin"], logger: logger) != nil {
            logger.info("admin account created", metadata: ["account.email": "\(self.email)"])
        }
    }
}
