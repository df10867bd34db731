import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceKit
import Synchronization
import Testing

/// `ClientAddressMiddleware` over real sockets (the peer is 127.0.0.1), and the gateway token
/// check behind `X-Client-Address`.
struct ClientAddressMiddlewareTests {
    /// A compact token whose payload carries `exp`; the signature part is not looked at here
    /// (the check's verifier is a stand-in).
    private static func token(subject: String, expiresAt: Date, scope: String = ServiceScope.clientAddressAssert.rawValue) -> String {
        let payload = #"{"sub":"\#(subject)","scope":"\#(scope)","exp":\#(Int(expiresAt.timeIntervalSince1970))}"#
        return Base64URL.encode(Data(#"{"alg":"ES256","kid":"k"}"#.utf8)) + "." + Base64URL.encode(Data(payload.utf8)) + ".c2ln"
    }

    /// A stand-in verifier: the subject of a token it made, counting calls; anything else throws.
    private final class StandInVerifier: Sendable {
        let calls = Mutex(0)

        func verify(_ token: String) throws -> Identity {
            self.calls.withLock { $0 += 1 }
            let parts = token.split(separator: ".")
            guard parts.count == 3, parts[2] == "c2ln", let payload = Base64URL.decode(parts[1]),
                let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any], let subject = claims["sub"] as? String
            else { throw TokenRejection(reason: "not a stand-in token") }
            if UUID(uuidString: subject) != nil { return Identity(user: subject, roles: [], tokenID: UUID().uuidString) }
            let scopes = ((claims["scope"] as? String) ?? "").split(separator: " ").map { ServiceScope(rawValue: String($0)) }
            return Identity(service: subject, scopes: Set(scopes), tokenID: UUID().uuidString)
        }

        var check: GatewayTokenCheck { self.check(now: { Date() }) }

        func check(now: @escaping @Sendable () -> Date) -> GatewayTokenCheck {
            GatewayTokenCheck(verify: { token, _ in try self.verify(token) }, now: now)
        }
    }

    /// Answers `GET /whoami` with the client address the middleware derived.
    private static func application(_ source: ClientAddressSource) -> some ApplicationProtocol {
        let routes = ServiceRoutes(maxBodyBytes: 1024, clientAddress: source)
        routes.get("/whoami") { request, context in request.clientAddress(context: context) }
        return Application(router: routes.router)
    }

    private static func whoami(_ source: ClientAddressSource, headers: HTTPFields) async throws -> String {
        try await Self.application(source).test(.live) { client in
            try await client.execute(uri: "/whoami", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
        }
    }

    private static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    @Test func theEdgeBelievesForwardedForOnlyFromTrustedProxies() async throws {
        let forwarded = Self.fields([("X-Forwarded-For", "198.51.100.4, 203.0.113.9")])
        let trusted = try TrustedProxies(setting: "127.0.0.1/32")
        #expect(try await Self.whoami(.forwardedFor(trusted), headers: forwarded) == "203.0.113.9")
        #expect(try await Self.whoami(.forwardedFor(TrustedProxies()), headers: forwarded) == "127.0.0.1")
        #expect(try await Self.whoami(.socketPeer, headers: forwarded) == "127.0.0.1")
    }

    @Test func aServiceIgnoresForwardedForAndAnUnvouchedClientAddress() async throws {
        let verifier = StandInVerifier()
        let headers = Self.fields([("X-Forwarded-For", "203.0.113.9"), ("X-Client-Address", "203.0.113.9")])
        #expect(try await Self.whoami(.gateway(verifier.check), headers: headers) == "127.0.0.1")
        #expect(verifier.calls.withLock { $0 } == 0, "no token, nothing to verify")
    }

    @Test func aServiceBelievesTheClientAddressOnlyNextToTheGatewaysToken() async throws {
        let verifier = StandInVerifier()
        let check = verifier.check
        let expiry = Date().addingTimeInterval(300)
        let gateway = Self.token(subject: GatewayTokenCheck.gatewayClientID, expiresAt: expiry)
        let order = Self.token(subject: "order", expiresAt: expiry)
        let user = Self.token(subject: UUID().uuidString.lowercased(), expiresAt: expiry)
        let unscoped = Self.token(subject: GatewayTokenCheck.gatewayClientID, expiresAt: expiry, scope: "")

        func ask(_ pairs: [(String, String)]) async throws -> String {
            try await Self.whoami(.gateway(check), headers: Self.fields(pairs))
        }
        #expect(try await ask([("X-Client-Address", "203.0.113.9"), ("X-Gateway-Token", gateway)]) == "203.0.113.9")
        #expect(try await ask([("X-Client-Address", "2001:DB8::9"), ("X-Gateway-Token", gateway)]) == "2001:db8::9")
        #expect(try await ask([("X-Client-Address", "203.0.113.9"), ("X-Gateway-Token", order)]) == "127.0.0.1", "another service's token")
        #expect(try await ask([("X-Client-Address", "203.0.113.9"), ("X-Gateway-Token", user)]) == "127.0.0.1", "a user's token")
        #expect(
            try await ask([("X-Client-Address", "203.0.113.9"), ("X-Gateway-Token", unscoped)]) == "127.0.0.1",
            "the gateway's token without client-address.assert"
        )
        #expect(try await ask([("X-Client-Address", "203.0.113.9"), ("X-Gateway-Token", "forged")]) == "127.0.0.1", "an invalid token")
        #expect(try await ask([("X-Client-Address", "not-an-address"), ("X-Gateway-Token", gateway)]) == "127.0.0.1", "no address")
        let twice = [("X-Client-Address", "203.0.113.9"), ("X-Client-Address", "198.51.100.4"), ("X-Gateway-Token", gateway)]
        #expect(try await ask(twice) == "127.0.0.1", "two addresses: neither is believed")
    }

    @Test func aGatewayTokenIsVerifiedOncePerTokenUntilItExpires() async throws {
        let verifier = StandInVerifier()
        let clock = Mutex(Date())
        let check = verifier.check { clock.withLock { $0 } }
        let logger = Logger(label: "test")
        let first = Self.token(subject: GatewayTokenCheck.gatewayClientID, expiresAt: clock.withLock { $0 }.addingTimeInterval(60))
        let second = Self.token(subject: GatewayTokenCheck.gatewayClientID, expiresAt: clock.withLock { $0 }.addingTimeInterval(90))
        for _ in 0..<5 {
            #expect(await check.accepts(first, logger: logger))
            #expect(await check.accepts(second, logger: logger), "a second replica's token is remembered beside the first")
        }
        #expect(verifier.calls.withLock { $0 } == 2, "one verification per token")

        clock.withLock { $0 = $0.addingTimeInterval(61) }
        #expect(!(await check.accepts(first, logger: logger)), "an expired token is not accepted, remembered or not")
        #expect(await check.accepts(second, logger: logger))
        #expect(verifier.calls.withLock { $0 } == 3, "the expired one was looked at again, the other one was not")
    }

    @Test func rejectedTokensAreNeverRemembered() async throws {
        let verifier = StandInVerifier()
        let check = verifier.check
        let logger = Logger(label: "test")
        let order = Self.token(subject: "order", expiresAt: Date().addingTimeInterval(60))
        for _ in 0..<3 {
            #expect(!(await check.accepts(order, logger: logger)))
            #expect(!(await check.accepts("garbage", logger: logger)))
        }
        #expect(verifier.calls.withLock { $0 } == 6)
        #expect(!(await check.accepts(String(repeating: "a", count: 9000), logger: logger)))
        #expect(verifier.calls.withLock { $0 } == 6, "an oversized token is refused unread")
    }
}
