import Foundation
import GRPCCore
import InternalAPI
import Testing

extension ShopStackSuite {
    /// Least privilege between services: every client's token names its caller, one callee and
    /// only the scopes the grant table gives that pair; every internal RPC answers exactly the
    /// callers the matrix allows. The matrix is rendered here and must appear, line for line, in
    /// `docs/security.md`.
    @Suite("Service scopes")
    struct ServiceScopeTests {
        /// One internal RPC, the service that serves it and the scope it requires.
        struct InternalMethod: Sendable, CustomStringConvertible {
            let service: String
            let method: MethodDescriptor
            let scope: String

            var description: String { self.method.fullyQualifiedMethod }
        }

        /// Every internal RPC but auth's token method (which takes client credentials).
        static let methods: [InternalMethod] = [
            .init(service: "auth", method: Shop_Auth_V1_Accounts.Method.GetAccount.descriptor, scope: "accounts.read"),
            .init(service: "user", method: Shop_User_V1_Profiles.Method.CreateProfile.descriptor, scope: "profiles.create"),
            .init(service: "product", method: Shop_Catalog_V1_ProductLookup.Method.LookupProducts.descriptor, scope: "products.lookup"),
            .init(service: "product", method: Shop_Inventory_V1_Reservations.Method.Reserve.descriptor, scope: "reservations.write"),
            .init(service: "product", method: Shop_Inventory_V1_Reservations.Method.Commit.descriptor, scope: "reservations.write"),
            .init(service: "product", method: Shop_Inventory_V1_Reservations.Method.Release.descriptor, scope: "reservations.write"),
            .init(service: "payment", method: Shop_Payment_V1_Payments.Method.Authorize.descriptor, scope: "payments.authorize"),
            .init(service: "payment", method: Shop_Payment_V1_Payments.Method.Capture.descriptor, scope: "payments.capture"),
            .init(service: "payment", method: Shop_Payment_V1_Payments.Method.Cancel.descriptor, scope: "payments.cancel"),
            .init(service: "payment", method: Shop_Payment_V1_Payments.Method.CheckPaymentMethod.descriptor, scope: "payment-methods.read"),
        ]

        /// Every method the generated contracts define (`Method.descriptors` of each service).
        static let contractMethods: [MethodDescriptor] =
            Shop_Auth_V1_Accounts.Method.descriptors + Shop_User_V1_Profiles.Method.descriptors
            + Shop_Catalog_V1_ProductLookup.Method.descriptors + Shop_Inventory_V1_Reservations.Method.descriptors
            + Shop_Payment_V1_Payments.Method.descriptors

        /// The grant table auth must hold: caller → callee → scopes.
        static let grants: [String: [String: Set<String>]] = [
            "user": ["auth": ["accounts.read"]],
            "order": [
                "product": ["products.lookup", "reservations.write"],
                "payment": ["payments.authorize", "payments.capture", "payments.cancel", "payment-methods.read"],
            ],
            "api-gateway": Dictionary(uniqueKeysWithValues: Stack.serviceNames.map { ($0, ["client-address.assert"]) }),
        ]

        /// The seven clients, in the matrix's column order.
        static let callers = [Stack.gatewayName] + Stack.serviceNames

        /// What `caller` meets at `method`: `allowed`, `PERMISSION_DENIED` (its token for that
        /// service lacks the scope) or `—` (auth gives it no token for that service; one for
        /// another is `UNAUTHENTICATED` there).
        static func cell(_ method: InternalMethod, _ caller: String) -> String {
            guard let scopes = grants[caller]?[method.service] else { return "—" }
            return scopes.contains(method.scope) ? "allowed" : "PERMISSION_DENIED"
        }

        /// The matrix as the Markdown table rows `docs/security.md` shows.
        static var markdownRows: [String] {
            let header = "| RPC (service) | scope | " + callers.map { "`\($0)`" }.joined(separator: " | ") + " |"
            let rule = "|" + String(repeating: " --- |", count: callers.count + 2)
            let rows = methods.map { method in
                "| `\(method)` (\(method.service)) | `\(method.scope)` | " + callers.map { cell(method, $0) }.joined(separator: " | ") + " |"
            }
            return [header, rule] + rows
        }

        /// Every token auth issues to each client, by client and audience.
        private static func issuedTokens(_ stack: Stack) async throws -> [String: [String: String]] {
            var tokens: [String: [String: String]] = [:]
            for caller in callers {
                for audience in Stack.serviceNames where grants[caller]?[audience] != nil {
                    tokens[caller, default: [:]][audience] = try await ServiceToken.obtain(stack, as: caller, for: audience)
                }
            }
            return tokens
        }

        /// The status `method` answers with `token` (an empty message, which names nothing that
        /// exists, so an allowed call changes nothing); `nil` for OK.
        private static func call(_ stack: Stack, _ method: InternalMethod, token: String?) async throws -> RPCError.Code? {
            try await InternalRPC.withClient(stack, method.service) { client in
                await InternalRPC.status(of: method.method, on: client, metadata: InternalRPC.metadata(token: token))
            }
        }

        @Test("Auth gives each of the seven clients a token only for the services its grants name, with exactly those scopes")
        func tokensFollowTheGrantTable() async throws {
            let stack = try Stack.require()
            for caller in Self.callers {
                for audience in Stack.serviceNames {
                    guard let scopes = Self.grants[caller]?[audience] else {
                        let refused = await #expect(throws: RPCError.self, "\(caller) → \(audience)") {
                            try await InternalRPC.issueToken(stack, as: caller, for: audience)
                        }
                        #expect(refused?.code == .permissionDenied, "\(caller) → \(audience): \(String(describing: refused))")
                        continue
                    }
                    let grant = try await InternalRPC.issueToken(stack, as: caller, for: audience)
                    let claims = try JWT.claims(of: grant.accessToken)
                    #expect(claims["sub"] as? String == caller)
                    let audiences = (claims["aud"] as? [String]) ?? [(claims["aud"] as? String) ?? ""]
                    #expect(audiences == [audience], "\(caller) → \(audience): aud \(audiences)")
                    let granted = Set(((claims["scope"] as? String) ?? "").split(separator: " ").map(String.init))
                    #expect(granted == scopes && Set(grant.scopes) == scopes, "\(caller) → \(audience): scope \(granted)")
                    #expect((claims["roles"] as? [String])?.isEmpty ?? true, "a service token carries no role")
                    #expect((1...3600).contains(grant.expiresInSeconds))
                }
            }
            // A token request that names no audience is refused; so is a wrong secret.
            let anonymous = await #expect(throws: RPCError.self) { try await InternalRPC.issueToken(stack, as: "order", for: "") }
            #expect(anonymous?.code == .invalidArgument)
            let wrong = await #expect(throws: RPCError.self) {
                try await InternalRPC.issueToken(stack, as: "order", for: "product", secret: "not-the-secret-of-order")
            }
            #expect(wrong?.code == .unauthenticated)
        }

        @Test(
            "Every internal RPC answers exactly the callers the matrix allows; the others PERMISSION_DENIED, or UNAUTHENTICATED with a token for another service"
        )
        func everyMethodAnswersExactlyItsCallers() async throws {
            let stack = try Stack.require()
            let tokens = try await Self.issuedTokens(stack)
            let customer = try await Session.register(stack, waitForProfile: false)
            let refused: Set<RPCError.Code> = [.unauthenticated, .permissionDenied, .unavailable, .internalError, .unknown]
            for method in Self.methods {
                for caller in Self.callers {
                    let cell = Self.cell(method, caller)
                    let what = "\(caller) at \(method) on \(method.service) (matrix: \(cell))"
                    if let token = tokens[caller]?[method.service] {
                        let code = try await Self.call(stack, method, token: token)
                        if cell == "allowed" {
                            #expect(code.map { !refused.contains($0) } ?? true, "\(what): \(String(describing: code))")
                        } else {
                            #expect(code == .permissionDenied, "\(what): \(String(describing: code))")
                        }
                    } else {
                        #expect(cell == "—", "\(what): auth gave no token")
                        // Whatever token the caller has, for another service, is no token here.
                        for (audience, token) in tokens[caller] ?? [:] {
                            let code = try await Self.call(stack, method, token: token)
                            #expect(code == .unauthenticated, "\(what), with its token for \(audience): \(String(describing: code))")
                        }
                    }
                }
                let anonymous = try await Self.call(stack, method, token: nil)
                #expect(anonymous == .unauthenticated, "\(method) without a token: \(String(describing: anonymous))")
                let asCustomer = try await Self.call(stack, method, token: customer.accessToken)
                #expect(asCustomer == .permissionDenied, "\(method) with a customer's token: \(String(describing: asCustomer))")
            }
        }

        @Test("A service token replayed at any other service is refused as UNAUTHENTICATED")
        func aTokenIsGoodOnlyAtItsAudience() async throws {
            let stack = try Stack.require()
            let tokens = try await Self.issuedTokens(stack)
            for (caller, byAudience) in tokens {
                for (audience, token) in byAudience {
                    for method in Self.methods where method.service != audience {
                        let code = try await Self.call(stack, method, token: token)
                        #expect(code == .unauthenticated, "\(caller)'s token for \(audience) at \(method) on \(method.service)")
                    }
                    // Not at the gateway either: it is not a user's token.
                    let me = try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(token)])
                    #expect(me.status == 401, "\(caller)'s token for \(audience) at the gateway: \(me.status)")
                }
            }
        }

        @Test("The matrix covers every method of the contracts, and no executable registers an /internal HTTP route")
        func theMatrixCoversEveryMethod() async throws {
            let stack = try Stack.require()
            let listed = Set(Self.methods.map(\.method))
            let contract = Set(Self.contractMethods)
            #expect(listed == contract, "in the contracts but not the matrix: \(contract.subtracting(listed).map(\.fullyQualifiedMethod))")
            for name in Stack.allNames {
                let internalRoutes = try await RouteListing.routes(of: name, in: stack).filter { $0.path.hasPrefix("/internal") }
                #expect(internalRoutes.isEmpty, "\(name) still registers \(internalRoutes.map(\.path))")
            }
        }

        @Test("docs/security.md shows the matrix the suite checks")
        func theMatrixIsDocumented() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let document = try String(contentsOf: root.appendingPathComponent("docs/security.md"), encoding: .utf8)
            let lines = Set(document.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            for row in Self.markdownRows {
                #expect(lines.contains(row), "docs/security.md lacks the row:\n\(row)")
            }
        }
    }
}
