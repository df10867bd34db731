import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

@testable import GatewayService

/// Rate-limit classes come from the route the gateway's router matched, with the proxy's own
/// patterns on an edge (case-insensitive) router: spelling cannot move a request between classes.
struct RouteClassTests {
    /// The proxy's patterns, each answering `<class after authentication> <service>`.
    private static func application() -> some ApplicationProtocol {
        let routes = ServiceRoutes(maxBodyBytes: 1024, caseInsensitive: true)
        for (path, service) in ProxyController.patterns(for: .standard) {
            for method in ProxyController.methods {
                routes.on(method, path) { _, context in
                    "\(RouteClass.after(endpointPath: context.endpointPath, isUser: false)?.rawValue ?? "unlimited") \(service)"
                }
            }
        }
        return Application(router: routes.router)
    }

    private static func classes(of targets: [String], method: HTTPRequest.Method = .post) async throws -> [String] {
        try await Self.application().test(.router) { client in
            var answers: [String] = []
            for target in targets {
                answers.append(try await client.execute(uri: target, method: method) { String(buffer: $0.body) })
            }
            return answers
        }
    }

    @Test func credentialRoutesAreTheAuthClassHoweverTheyAreSpelt() async throws {
        let spellings = [
            "/v1/auth/login", "/v1/auth/login/", "/V1/AUTH/LOGIN", "/v1/Auth/Login/", "/v1//auth/login", "/v1/auth//login//",
            "/v1/auth/register/", "/v1/auth/REGISTER", "/v1/auth/refresh//", "/v1/auth/login?next=/v1/products",
        ]
        let answers = try await Self.classes(of: spellings)
        for (spelling, answer) in zip(spellings, answers) {
            #expect(answer == "auth auth", "\(spelling) -> \(answer)")
        }
    }

    @Test func otherRoutesKeepTheirClassAndService() async throws {
        let answers = try await Self.classes(of: ["/v1/auth/logout", "/v1/auth/login/extra", "/v1/auth/jwks", "/v1/products/x", "/V1/ORDERS"])
        #expect(answers == ["anonymous auth", "anonymous auth", "anonymous auth", "anonymous product", "anonymous order"])
    }

    @Test func aUserIsLimitedAsAUserExceptOnCredentialRoutes() {
        #expect(RouteClass.after(endpointPath: "/v1/orders/**", isUser: true) == .user)
        #expect(RouteClass.after(endpointPath: nil, isUser: true) == .user)
        #expect(RouteClass.after(endpointPath: nil, isUser: false) == .anonymous)
        #expect(RouteClass.after(endpointPath: "/v1/auth/login", isUser: true) == .auth)
        #expect(RouteClass.after(endpointPath: "/v1/status", isUser: false) == .anonymous, "status is limited like any route")
    }

    @Test func probesAreNeverLimitedAndEverythingElseCountsPerAddressFirst() {
        for path in ["/health/live", "/health/ready", "/metrics"] {
            #expect(RouteClass.before(endpointPath: path) == nil)
            #expect(RouteClass.after(endpointPath: path, isUser: false) == nil)
        }
        for path in ["/v1/status", "/v1/auth/login", "/v1/orders/**", "/openapi.json"] {
            #expect(RouteClass.before(endpointPath: path) == .address)
        }
        #expect(RouteClass.before(endpointPath: nil) == .address, "an unmatched path counts too")
    }
}
