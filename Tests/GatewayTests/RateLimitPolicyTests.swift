import ServiceKit
import Testing

@testable import GatewayService

struct RateLimitPolicyTests {
    @Test func theSettingNamesEveryClassIncludingTheAddressBucket() throws {
        let policy = try RateLimitMiddleware.Policy(settings: SettingsReader(environment: ["RATE_LIMITS": "address=5/10, auth=1/2"]))
        #expect(policy.address == RateLimit(rate: 5, burst: 10))
        #expect(policy.auth == RateLimit(rate: 1, burst: 2))
        #expect(policy.anonymous == RateLimitMiddleware.Policy.defaults.anonymous)
        #expect(policy.limit(of: .address) == policy.address)
        #expect(throws: ConfigurationError.self) {
            try RateLimitMiddleware.Policy(settings: SettingsReader(environment: ["RATE_LIMITS": "peer=1/2"]))
        }
    }

    @Test func theAddressBucketIsCoarserThanTheClassesByDefault() {
        let defaults = RateLimitMiddleware.Policy.defaults
        for routeClass in [RouteClass.anonymous, .user, .auth] {
            #expect(defaults.address.burst > defaults.limit(of: routeClass).burst, "\(routeClass)")
            #expect(defaults.address.rate > defaults.limit(of: routeClass).rate, "\(routeClass)")
        }
    }

    @Test func anIPv6ClientIsLimitedByItsSlash64() {
        #expect(RateLimitMiddleware.addressKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(RateLimitMiddleware.addressKey("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64")
        #expect(RateLimitMiddleware.addressKey("203.0.113.9") == "203.0.113.9")
        #expect(RateLimitMiddleware.addressKey("unknown") == "unknown")
    }
}
