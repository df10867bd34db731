import Foundation
import Testing

extension ShopStackSuite {
    @Suite("Identity flow")
    struct IdentityFlowTests {
        private static let mePath = "/v1/users/me"

        /// An address every field of which is valid.
        private static var homeAddress: [String: Any] {
            [
                "label": "Home",
                "line1": "1 High Street",
                "line2": "Flat 2",
                "city": "London",
                "postalCode": "SW1A 1AA",
                "country": "GB",
            ]
        }

        @Test("Register, log in (an ES256 token with the contract's claims), read the profile, update it")
        func registerLoginReadAndUpdate() async throws {
            let stack = try Stack.require()
            let email = Session.newEmail()
            let password = Session.newPassword()

            let created = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/register"),
                json: try canonicalJSON(["email": email, "password": password, "name": "Alice"])
            )
            #expect(created.status == 201, "\(created.text)")
            let account = try created.jsonObject()
            let id = try #require(account["id"] as? String, "id: \(created.text)")
            #expect(UUID(uuidString: id) != nil, "id is a UUID: \(id)")
            #expect(account["email"] as? String == email, "\(created.text)")
            #expect(account["name"] as? String == "Alice", "\(created.text)")

            let login = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/login"),
                json: try canonicalJSON(["email": email, "password": password])
            )
            #expect(login.status == 200, "\(login.text)")
            let pair = try login.jsonObject()
            #expect(pair["tokenType"] as? String == "Bearer", "\(login.text)")
            #expect(jsonInteger(pair["expiresIn"]) == 900, "\(login.text)")
            let accessToken = try #require(pair["accessToken"] as? String, "accessToken: \(login.text)")
            let refreshToken = try #require(pair["refreshToken"] as? String, "refreshToken: \(login.text)")
            #expect(!refreshToken.isEmpty && refreshToken != accessToken)
            #expect(!login.text.contains(password), "the password never comes back")

            // The access token: an ES256 JWT, signed by a published key, with the contract's claims.
            #expect(accessToken.split(separator: ".", omittingEmptySubsequences: false).count == 3, "compact JWT: \(accessToken)")
            let header = try JWT.header(of: accessToken)
            #expect(header["alg"] as? String == "ES256", "header: \(header)")
            #expect(header["typ"] as? String == "JWT", "header: \(header)")
            let kid = try JWT.kid(of: accessToken)
            let published = try await PublishedKey.fetch(kid: kid, stack)
            #expect(published.fields["kty"] == "EC" && published.fields["crv"] == "P-256", "JWK: \(published.jsonText)")
            #expect(published.fields["alg"] == "ES256" && published.fields["use"] == "sig", "JWK: \(published.jsonText)")
            #expect(JWT.verifies(accessToken, with: try published.publicKey()), "the signature verifies with the published key \(kid)")

            let claims = try JWT.claims(of: accessToken)
            #expect(claims["sub"] as? String == id, "claims: \(claims)")
            #expect(claims["roles"] as? [String] == ["customer"], "claims: \(claims)")
            #expect(claims["iss"] as? String == JWT.issuer, "claims: \(claims)")
            let audience = claims["aud"]
            #expect(
                audience as? String == JWT.audience || (audience as? [String])?.contains(JWT.audience) == true,
                "aud is swift-shop (a string or an array holding it): \(claims)"
            )
            let issuedAt = try #require(jsonInteger(claims["iat"]), "iat: \(claims)")
            let expiry = try #require(jsonInteger(claims["exp"]), "exp: \(claims)")
            #expect(expiry - issuedAt == 900, "the token lives 900 s: \(claims)")
            #expect(abs(issuedAt - Int(Date().timeIntervalSince1970)) < 120, "iat is about now: \(claims)")
            #expect((claims["jti"] as? String)?.isEmpty == false, "claims: \(claims)")

            // The profile appears asynchronously.
            let me = try await awaitProfile(stack, token: accessToken)
            #expect(me.status == 200, "\(me.text)")
            let profile = try me.jsonObject()
            #expect(profile["id"] as? String == id, "\(me.text)")
            #expect(profile["email"] as? String == email, "\(me.text)")
            #expect(profile["name"] as? String == "Alice", "\(me.text)")
            #expect(profile["phone"] == nil || profile["phone"] is NSNull, "no phone yet: \(me.text)")
            #expect((profile["addresses"] as? [Any])?.isEmpty == true, "no addresses yet: \(me.text)")
            #expect(Self.isTimestamp(profile["createdAt"]), "createdAt is an ISO 8601 time: \(me.text)")

            // PATCH everything, then only the phone: the rest stays.
            let patched = try await stack.http.send(
                .PATCH,
                stack.url(Self.mePath),
                json: try canonicalJSON(["name": "Alice Liddell", "phone": "+44 20 7946 0958", "addresses": [Self.homeAddress]]),
                headers: [bearer(accessToken)]
            )
            #expect(patched.status == 200, "\(patched.text)")
            try Self.expectProfile(patched, id: id, email: email, name: "Alice Liddell", phone: "+44 20 7946 0958")

            let phoneOnly = try await stack.http.send(
                .PATCH,
                stack.url(Self.mePath),
                json: try canonicalJSON(["phone": "+1 (555) 010-9999"]),
                headers: [bearer(accessToken)]
            )
            #expect(phoneOnly.status == 200, "\(phoneOnly.text)")
            try Self.expectProfile(phoneOnly, id: id, email: email, name: "Alice Liddell", phone: "+1 (555) 010-9999")

            let reread = try await stack.http.send(.GET, stack.url(Self.mePath), headers: [bearer(accessToken)])
            #expect(reread.status == 200, "\(reread.text)")
            try Self.expectProfile(reread, id: id, email: email, name: "Alice Liddell", phone: "+1 (555) 010-9999")
        }

        @Test("Refresh rotates the pair; presenting the spent token answers 401 and revokes the whole family")
        func refreshRotatesAndReuseRevokesTheFamily() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)

            let refreshed = try await Session.refresh(stack, refreshToken: session.refreshToken)
            #expect(refreshed.status == 200, "\(refreshed.text)")
            let pair = try TokenPair(refreshed, what: "refresh")
            #expect(pair.refreshToken != session.refreshToken, "rotation hands out a new refresh token")
            #expect(pair.tokenType == "Bearer" && pair.expiresIn == 900, "\(refreshed.text)")
            #expect(try JWT.claims(of: pair.accessToken)["sub"] as? String == session.id)
            let me = try await stack.http.send(.GET, stack.url(Self.mePath), headers: [bearer(pair.accessToken)])
            #expect(me.status == 200, "the refreshed access token works: \(me.text)")

            // The spent token again: refused, and that reuse revokes the rotated one too.
            let reused = try await Session.refresh(stack, refreshToken: session.refreshToken)
            expectProblem(reused, status: 401, path: "/v1/auth/refresh")
            #expect(!reused.text.contains("accessToken"), "no new pair for a spent token: \(reused.text)")

            let afterReuse = try await Session.refresh(stack, refreshToken: pair.refreshToken)
            expectProblem(afterReuse, status: 401, path: "/v1/auth/refresh")
        }

        @Test("Logout (no access token needed) answers 204; refreshing with that token then answers 401")
        func logoutRevokesTheRefreshToken() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, waitForProfile: false)

            let logout = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/logout"),
                json: try canonicalJSON(["refreshToken": session.refreshToken])
            )
            #expect(logout.status == 204, "\(logout.text)")
            #expect(logout.body.isEmpty, "204 has no body: \(logout.text)")

            let refresh = try await Session.refresh(stack, refreshToken: session.refreshToken)
            expectProblem(refresh, status: 401, path: "/v1/auth/refresh")
        }

        @Test("PATCH /v1/users/me with a bad phone or country answers 422 naming the fields and changes nothing")
        func patchValidation() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            var badAddress = Self.homeAddress
            badAddress["country"] = "Britain"

            let badPhone = try await patch(["phone": "abc"], session, stack)
            expectValidationProblem(badPhone, path: Self.mePath, fields: ["phone"])

            let badCountry = try await patch(["addresses": [badAddress]], session, stack)
            Self.expectCountryError(badCountry)

            // Within its length, so that the finer rules run and name both fields (a field over its
            // maximum is answered alone, before any other check).
            var lowerCaseCountry = Self.homeAddress
            lowerCaseCountry["country"] = "gb"
            let both = try await patch(["name": "Mallory", "phone": "abc", "addresses": [lowerCaseCountry]], session, stack)
            expectValidationProblem(both, path: Self.mePath, fields: ["phone"])
            Self.expectCountryError(both)

            let me = try await stack.http.send(.GET, stack.url(Self.mePath), headers: [bearer(session.accessToken)])
            #expect(me.status == 200, "\(me.text)")
            let profile = try me.jsonObject()
            #expect(profile["name"] as? String == session.name, "a rejected PATCH changes nothing: \(me.text)")
            #expect(profile["phone"] == nil || profile["phone"] is NSNull, "a rejected PATCH changes nothing: \(me.text)")
            #expect((profile["addresses"] as? [Any])?.isEmpty == true, "a rejected PATCH changes nothing: \(me.text)")
        }

        @Test("After register, login, refresh and logout no log holds the password, a token or an scrypt hash")
        func secretsStayOutOfLogs() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let refreshed = try TokenPair(try await Session.refresh(stack, refreshToken: session.refreshToken), what: "refresh")
            // Both access tokens pass the gateway and the user service directly.
            for token in [session.accessToken, refreshed.accessToken] {
                for url in [stack.url(Self.mePath), try stack.url(Self.mePath, on: "user")] {
                    let me = try await stack.http.send(.GET, url, headers: [bearer(token)])
                    #expect(me.status == 200, "\(url): \(me.text)")
                }
            }
            let logout = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/logout"),
                json: try canonicalJSON(["refreshToken": refreshed.refreshToken])
            )
            #expect(logout.status == 204, "\(logout.text)")
            try await Task.sleep(for: .milliseconds(500))

            let files = try FileManager.default.contentsOfDirectory(at: stack.logDirectory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "log" }
            let names = Set(files.map(\.lastPathComponent))
            #expect(names.isSuperset(of: ["auth.log", "user.log", "api-gateway.log"]), "log files in \(stack.logDirectory.path): \(names)")
            let secrets: [(what: String, value: String)] = [
                ("the password", session.password),
                ("the first access token", session.accessToken),
                ("the second access token", refreshed.accessToken),
                ("the first refresh token", session.refreshToken),
                ("the second refresh token", refreshed.refreshToken),
                ("an scrypt hash", "scrypt$"),
            ]
            for file in files {
                let log = String(decoding: try Data(contentsOf: file), as: UTF8.self)
                for secret in secrets {
                    #expect(!log.contains(secret.value), "\(file.lastPathComponent) holds \(secret.what)")
                }
            }
        }

        @Test("Key rotation: the admin rotates; older tokens keep working and new tokens carry the new kid")
        func keyRotation() async throws {
            let stack = try Stack.require()
            let customer = try await Session.register(stack)
            let oldKid = try JWT.kid(of: customer.accessToken)
            let admin = try await Session.admin(stack)
            let adminRoles = try JWT.claims(of: admin.accessToken)["roles"] as? [String]
            #expect(adminRoles?.contains("admin") == true, "the seeded admin's token has the admin role: \(adminRoles ?? [])")

            let rotated = try await stack.http.send(.POST, stack.url("/v1/auth/keys/rotate"), headers: [bearer(admin.accessToken)])
            #expect(rotated.status == 201, "\(rotated.text)")
            let newKid = try #require(try rotated.jsonObject()["kid"] as? String, "kid: \(rotated.text)")
            #expect(!newKid.isEmpty && newKid != oldKid, "a new kid: \(newKid) vs \(oldKid)")

            let kids = try await PublishedKey.fetchAll(stack).compactMap(\.kid)
            #expect(kids.contains(newKid) && kids.contains(oldKid), "the JWKS publishes the new and the old key: \(kids)")

            // A token issued before the rotation still verifies, through the gateway and directly.
            let urls = [stack.url(Self.mePath), try stack.url(Self.mePath, on: "user")]
            for url in urls {
                let before = try await stack.http.send(.GET, url, headers: [bearer(customer.accessToken)])
                #expect(before.status == 200, "old token at \(url): \(before.text)")
            }

            // A login now is signed with the new key, which the services learn within seconds.
            let fresh = try await Session.login(stack, email: customer.email, password: customer.password)
            #expect(try JWT.kid(of: fresh.accessToken) == newKid, "a token issued after the rotation carries the new kid")
            let published = try await PublishedKey.fetch(kid: newKid, stack)
            #expect(JWT.verifies(fresh.accessToken, with: try published.publicKey()), "signed with the published new key")
            for url in urls {
                let after = try await pollResponse(
                    until: { $0.status == 200 },
                    send: { try await stack.http.send(.GET, url, headers: [bearer(fresh.accessToken)]) }
                )
                #expect(after.status == 200, "new-kid token at \(url) within 10 s: \(after.text)")
            }
            for url in urls {
                let stillOld = try await stack.http.send(.GET, url, headers: [bearer(customer.accessToken)])
                #expect(stillOld.status == 200, "old token at \(url) after the key set was refetched: \(stillOld.text)")
            }
        }

        // MARK: Helpers

        private func patch(_ body: [String: Any], _ session: Session, _ stack: Stack) async throws -> HTTPResult {
            try await stack.http.send(.PATCH, stack.url(Self.mePath), json: try canonicalJSON(body), headers: [bearer(session.accessToken)])
        }

        /// A 422 whose errors name the address's country (`country`, `addresses[0].country`, ...).
        private static func expectCountryError(_ response: HTTPResult, sourceLocation: SourceLocation = #_sourceLocation) {
            let problem = expectProblem(response, status: 422, path: mePath, sourceLocation: sourceLocation)
            let errors = problem?.errors ?? []
            let entry = errors.first { $0.field.hasSuffix("country") }
            #expect(entry != nil, "errors should name the country: \(response.text.prefix(500))", sourceLocation: sourceLocation)
            #expect(entry?.message.isEmpty == false, "the country error has a message", sourceLocation: sourceLocation)
        }

        /// The profile in `response` has these values and exactly ``homeAddress``.
        private static func expectProfile(
            _ response: HTTPResult,
            id: String,
            email: String,
            name: String,
            phone: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let profile = try response.jsonObject()
            #expect(profile["id"] as? String == id, "\(response.text)", sourceLocation: sourceLocation)
            #expect(profile["email"] as? String == email, "\(response.text)", sourceLocation: sourceLocation)
            #expect(profile["name"] as? String == name, "\(response.text)", sourceLocation: sourceLocation)
            #expect(profile["phone"] as? String == phone, "\(response.text)", sourceLocation: sourceLocation)
            let addresses = profile["addresses"] as? [[String: Any]] ?? []
            #expect(addresses.count == 1, "one address: \(response.text)", sourceLocation: sourceLocation)
            for (key, value) in homeAddress {
                #expect(
                    addresses.first?[key] as? String == value as? String,
                    "address \(key): \(response.text)",
                    sourceLocation: sourceLocation
                )
            }
        }

        /// An ISO 8601 timestamp, with or without fractional seconds.
        private static func isTimestamp(_ value: Any?) -> Bool {
            guard let text = value as? String else { return false }
            let formatter = ISO8601DateFormatter()
            if formatter.date(from: text) != nil { return true }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text) != nil
        }
    }
}
