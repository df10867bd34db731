import Foundation
import GRPCCore
import InternalAPI
import Testing

extension ShopStackSuite {
    /// API5:2023 Broken Function Level Authorization: a customer or an outsider calling
    /// administrative or internal functions.
    @Suite("Attacks: function level authorization (API5)")
    struct FunctionLevelAttackTests {
        @Test("A customer creates, reprices, restocks and archives products")
        func customerEditsTheCatalog() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let product = try await Attack.product(stack, available: 5, price: 1000)
            let attempts: [(RequestMethod, String, String?)] = [
                (.POST, "/v1/products", #"{"sku":"EVIL-1","name":"x","description":"x","category":"x","price":{"amount":1,"currency":"USD"}}"#),
                (.PATCH, "/v1/products/\(product.id)", #"{"price":{"amount":1,"currency":"USD"}}"#),
                (.PUT, "/v1/products/\(product.id)/inventory", #"{"available":100000}"#),
                (.DELETE, "/v1/products/\(product.id)", nil),
            ]
            for (method, path, json) in attempts {
                let headers = [bearer(attacker.accessToken)]
                let response =
                    if let json {
                        try await stack.http.send(method, stack.url(path), json: json, headers: headers)
                    } else {
                        try await stack.http.send(method, stack.url(path), headers: headers)
                    }
                expectProblem(response, status: 403, path: path)
            }
            let after = try await Catalog.product(stack, product.id)
            #expect(after.price.amount == 1000 && after.available == 5, "the product is unchanged: \(after.price) \(after.available)")
        }

        @Test("A customer lists dead letters and redrives them")
        func customerRedrivesDeadLetters() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            for (method, path) in [
                (RequestMethod.GET, "/v1/users/dead-letters"), (.POST, "/v1/users/dead-letters/1-0/redrive"),
                (.GET, "/v1/notifications/dead-letters"), (.POST, "/v1/notifications/dead-letters/1-0/redrive"),
            ] {
                let response = try await stack.http.send(method, stack.url(path), headers: [bearer(attacker.accessToken)])
                expectProblem(response, status: 403, path: path)
            }
        }

        @Test("A customer rotates the signing keys")
        func customerRotatesKeys() async throws {
            let stack = try Stack.require()
            let (attacker, _) = try await Attack.attackerAndVictim(stack)
            let response = try await stack.http.send(.POST, stack.url("/v1/auth/keys/rotate"), headers: [bearer(attacker.accessToken)])
            expectProblem(response, status: 403, path: "/v1/auth/keys/rotate")
        }

        @Test("A customer calls a service's internal gRPC API directly with a user token")
        func customerCallsInternalRoutes() async throws {
            let stack = try Stack.require()
            let (attacker, victim) = try await Attack.attackerAndVictim(stack)
            let calls: [(String, MethodDescriptor)] = [
                ("product", Shop_Inventory_V1_Reservations.Method.Reserve.descriptor),
                ("payment", Shop_Payment_V1_Payments.Method.Capture.descriptor),
                ("auth", Shop_Auth_V1_Accounts.Method.GetAccount.descriptor),
                ("user", Shop_User_V1_Profiles.Method.CreateProfile.descriptor),
            ]
            for (service, method) in calls {
                let code = try await InternalRPC.withClient(stack, service) { client in
                    await InternalRPC.status(of: method, on: client, metadata: InternalRPC.metadata(token: attacker.accessToken))
                }
                #expect(code == .permissionDenied, "\(method.fullyQualifiedMethod): \(String(describing: code))")
            }
            // Nor can the attacker read the victim's account by name.
            let read = await #expect(throws: RPCError.self) {
                try await InternalRPC.withClient(stack, "auth") { client in
                    try await Shop_Auth_V1_Accounts.Client(wrapping: client).getAccount(
                        .with { $0.accountID = victim.id },
                        metadata: InternalRPC.metadata(token: attacker.accessToken)
                    )
                }
            }
            #expect(read?.code == .permissionDenied)
            #expect(!(read?.message.contains(victim.email) ?? false))
        }

        @Test("An outsider reaches internal routes through the gateway, with path tricks")
        func outsiderReachesInternalRoutesThroughTheGateway() async throws {
            let stack = try Stack.require()
            for path in [
                "/internal/token", "/v1/../internal/token", "/v1/%2e%2e/internal/token", "//internal/token", "/INTERNAL/token",
                "/v1/products/../../internal/products/lookup",
            ] {
                let response = try await stack.http.send(.POST, stack.url(path), json: #"{"grantType":"client_credentials"}"#)
                #expect([400, 404, 405].contains(response.status), "\(path): \(response.status) \(response.text.prefix(200))")
                Attack.expectNoLeak(response, of: "accessToken")
            }
        }

        @Test("An outsider asks auth for a service token with a guessed client secret")
        func outsiderGuessesAServiceSecret() async throws {
            let stack = try Stack.require()
            let refused = await #expect(throws: RPCError.self) {
                try await InternalRPC.issueToken(stack, as: "order", for: "product", secret: "guessed-secret-0123456789")
            }
            #expect(refused?.code == .unauthenticated)
            #expect(!(refused?.message.contains("eyJ") ?? true), "no token in the refusal")
        }
    }
}
