import ServiceKit
import Testing

@testable import AuthService

/// No default secrets: the admin's password comes from ADMIN_PASSWORD, or from the explicit
/// development setting.
struct AdminAccountTests {
    private func admin(_ environment: [String: String]) throws -> AdminAccount {
        try AdminAccount(settings: SettingsReader(environment: environment))
    }

    private func problem(_ environment: [String: String]) -> ConfigurationError? {
        do {
            _ = try self.admin(environment)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func withoutAPasswordAuthRefusesToStart() throws {
        let error = try #require(self.problem([:]), "no ADMIN_PASSWORD must be refused")
        #expect(error.setting == "ADMIN_PASSWORD")
        #expect("\(error)".contains("AUTH_DEV_DEFAULTS"), "the message names the development setting: \(error)")
        #expect(self.problem(["AUTH_DEV_DEFAULTS": "false"])?.setting == "ADMIN_PASSWORD")
        #expect(self.problem(["ADMIN_PASSWORD": "   "])?.setting == "ADMIN_PASSWORD")
    }

    @Test func theDevelopmentAdminOnlyWhenAskedFor() throws {
        let admin = try self.admin(["AUTH_DEV_DEFAULTS": "true"])
        #expect(admin.email == "admin@example.com")
        #expect(admin.password == "change-me-now")
        #expect(admin.isDevelopmentDefault)
        #expect(self.problem(["AUTH_DEV_DEFAULTS": "maybe"])?.setting == "AUTH_DEV_DEFAULTS")
    }

    @Test func aGivenPasswordWinsOverTheDevelopmentOne() throws {
        let admin = try self.admin(["ADMIN_PASSWORD": "a-long-enough-secret", "ADMIN_EMAIL": "Root@Example.COM", "AUTH_DEV_DEFAULTS": "1"])
        #expect(admin.password == "a-long-enough-secret")
        #expect(admin.email == "root@example.com")
        #expect(!admin.isDevelopmentDefault)
    }

    @Test(arguments: ["short", "elevenchars", "change-me-now", String(repeating: "x", count: 129)])
    func weakOrOverlongPasswordsAreRefused(password: String) {
        #expect(self.problem(["ADMIN_PASSWORD": password])?.setting == "ADMIN_PASSWORD", "\(password.prefix(20)) must be refused")
    }

    @Test func aTwelveCharacterPasswordIsEnough() throws {
        #expect(try self.admin(["ADMIN_PASSWORD": "twelve-chars"]).password == "twelve-chars")
        #expect(self.problem(["ADMIN_PASSWORD": "twelve-chars", "ADMIN_EMAIL": "not an email"])?.setting == "ADMIN_EMAIL")
    }
}
