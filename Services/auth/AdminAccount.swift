import Logging
import ServiceKit

/// The administrator seeded at first start from `ADMIN_EMAIL` / `ADMIN_PASSWORD`.
///
/// There is no default password: without `ADMIN_PASSWORD` auth refuses to start (exit 78),
/// unless `AUTH_DEV_DEFAULTS=true` asks for the well-known development admin
/// (`admin@example.com` / `change-me-now`), which is then logged as a warning at every start.
/// A given password must have at least ``minimumPasswordLength`` characters and must not be
/// the development one.
struct AdminAccount: Sendable {
    static let developmentEmail = "admin@example.com"
    static let developmentPassword = "change-me-now"
    static let minimumPasswordLength = 12
    /// At most what login accepts, or the admin could never log in.
    static let maximumPasswordLength = CredentialBounds.password

    let email: String
    let password: String
    /// Whether this is the development admin of `AUTH_DEV_DEFAULTS`.
    let isDevelopmentDefault: Bool

    init(settings: SettingsReader) throws {
        self.email = EmailAddress.normalize(settings.string("admin.email", default: Self.developmentEmail))
        guard EmailAddress.isValid(self.email) else {
            throw ConfigurationError(setting: "ADMIN_EMAIL", problem: "must be a valid email address")
        }
        if let password = settings.raw("admin.password", secret: true) {
            guard password.count >= Self.minimumPasswordLength, password.unicodeScalars.count <= Self.maximumPasswordLength else {
                throw ConfigurationError(
                    setting: "ADMIN_PASSWORD",
                    problem: "must be \(Self.minimumPasswordLength) to \(Self.maximumPasswordLength) characters"
                )
            }
            guard password != Self.developmentPassword else {
                throw ConfigurationError(setting: "ADMIN_PASSWORD", problem: "must not be the published development password")
            }
            self.password = password
            self.isDevelopmentDefault = false
        } else if try settings.bool("auth.devDefaults", default: false) {
            self.password = Self.developmentPassword
            self.isDevelopmentDefault = true
        } else {
            throw ConfigurationError(
                setting: "ADMIN_PASSWORD",
                problem: "is required: the admin account's password, \(Self.minimumPasswordLength) to \(Self.maximumPasswordLength) "
                    + "characters (for local development only, AUTH_DEV_DEFAULTS=true seeds \(Self.developmentEmail) with a published password)"
            )
        }
    }

    /// Creates the account unless it exists; an existing account is left as it is.
    func ensureExists(in accounts: AccountRepository, hasher: PasswordHasher, logger: Logger) async throws {
        if self.isDevelopmentDefault {
            logger.warning(
                "AUTH_DEV_DEFAULTS is on: the admin account may have the published development password; never use this outside development",
                metadata: ["account.email": "\(self.email)"]
            )
        }
        guard try await !accounts.exists(email: self.email, logger: logger) else { return }
        let hash = try await hasher.hash(self.password)
        if try await accounts.create(email: self.email, name: "Administrator", passwordHash: hash, roles: ["admin"], logger: logger) != nil {
            logger.info("admin account created", metadata: ["account.email": "\(self.email)"])
        }
    }
}
