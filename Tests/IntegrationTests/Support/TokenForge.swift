import Crypto
import Foundation
import PostgresNIO

// MARK: JSON and base64url

/// base64url without padding (RFC 7515 §2), the encoding of every JWT segment.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func encode(_ text: String) -> String {
        encode(Data(text.utf8))
    }

    /// The bytes, or nil when `text` is not base64url.
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 {
            base64 += "="
        }
        return Data(base64Encoded: base64)
    }
}

/// `object` as compact JSON with sorted keys and unescaped slashes: request bodies, JWT segments, comparisons.
func canonicalJSON(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

/// A JSON number as an integer (JSONSerialization hands numbers back as NSNumber).
func jsonInteger(_ value: Any?) -> Int? {
    (value as? NSNumber)?.intValue
}

// MARK: JWT

/// Hand-built JSON Web Tokens, for the tokens the auth service would never issue.
enum JWT {
    static let issuer = "swift-shop-auth"
    static let audience = "swift-shop"

    /// The decoded header of a compact JWT.
    static func header(of token: String) throws -> [String: Any] {
        try segment(0, of: token)
    }

    /// The decoded claims of a compact JWT.
    static func claims(of token: String) throws -> [String: Any] {
        try segment(1, of: token)
    }

    /// The `kid` of a token's header.
    static func kid(of token: String) throws -> String {
        guard let kid = try header(of: token)["kid"] as? String, !kid.isEmpty else {
            throw HarnessError("token header has no kid: \(token.prefix(80))")
        }
        return kid
    }

    private static func segment(_ index: Int, of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HarnessError("not a compact JWT (\(parts.count) segments): \(token.prefix(80))") }
        guard let data = Base64URL.decode(String(parts[index])),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw HarnessError("JWT segment \(index) is not base64url JSON: \(parts[index].prefix(80))")
        }
        return object
    }

    /// Whether the token's ES256 signature verifies with `key`.
    static func verifies(_ token: String, with key: P256.Signing.PublicKey) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let raw = Base64URL.decode(String(parts[2])),
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
    }

    /// `{"alg":"ES256","typ":"JWT","kid":kid}`.
    static func es256Header(kid: String) -> [String: Any] {
        ["alg": "ES256", "typ": "JWT", "kid": kid]
    }

    /// Claims the services accept for `subject`: right issuer and audience, issued now, valid for five minutes.
    static func validClaims(subject: String, roles: [String] = ["customer"], now: Date = Date()) -> [String: Any] {
        let seconds = Int(now.timeIntervalSince1970)
        return [
            "sub": subject,
            "roles": roles,
            "iss": issuer,
            "aud": audience,
            "iat": seconds,
            "exp": seconds + 300,
            "jti": UUID().uuidString.lowercased(),
        ]
    }

    /// `base64url(header).base64url(claims)`.
    static func signingInput(header: [String: Any], claims: [String: Any]) throws -> String {
        let encodedHeader = Base64URL.encode(try canonicalJSON(header))
        let encodedClaims = Base64URL.encode(try canonicalJSON(claims))
        return "\(encodedHeader).\(encodedClaims)"
    }

    /// Signed with ECDSA P-256 / SHA-256, the signature as raw r‖s.
    static func es256(header: [String: Any], claims: [String: Any], key: P256.Signing.PrivateKey) throws -> String {
        let input = try signingInput(header: header, claims: claims)
        let signature = try key.signature(for: Data(input.utf8))
        return "\(input).\(Base64URL.encode(signature.rawRepresentation))"
    }

    /// Signed with HMAC-SHA256 under `secret`.
    static func hs256(header: [String: Any], claims: [String: Any], secret: Data) throws -> String {
        let input = try signingInput(header: header, claims: claims)
        let code = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: secret))
        return "\(input).\(Base64URL.encode(Data(code)))"
    }

    /// No signature at all: `header.claims.` (meant for `alg: none`).
    static func unsigned(header: [String: Any], claims: [String: Any]) throws -> String {
        let input = try signingInput(header: header, claims: claims)
        return "\(input)."
    }

    /// The token with the first character of its signature changed (the first character always carries
    /// six real bits, unlike the last one, whose low bits may be padding a lenient decoder ignores).
    static func tamperingSignature(_ token: String) -> String {
        guard let lastDot = token.lastIndex(of: "."), token.index(after: lastDot) < token.endIndex else { return token + "A" }
        let first = token.index(after: lastDot)
        let replacement: Character = token[first] == "A" ? "B" : "A"
        var tampered = token
        tampered.replaceSubrange(first...first, with: String(replacement))
        return tampered
    }

    /// The token with other claims but its original header and signature.
    static func replacingClaims(of token: String, with claims: [String: Any]) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HarnessError("not a compact JWT: \(token.prefix(80))") }
        let encodedClaims = Base64URL.encode(try canonicalJSON(claims))
        return "\(parts[0]).\(encodedClaims).\(parts[2])"
    }
}

// MARK: The published key set

/// One key of `GET /v1/auth/jwks`.
struct PublishedKey: Sendable {
    /// The key's string members (kty, crv, x, y, kid, alg, use).
    let fields: [String: String]
    /// The key's JSON object, compact with sorted keys.
    let jsonText: String
    /// The key's JSON object exactly as the response spelled it (nil when it could not be cut out).
    let servedText: String?

    var kid: String? { fields["kid"] }

    /// The P-256 public key from `x` and `y`.
    func publicKey() throws -> P256.Signing.PublicKey {
        guard let x = fields["x"].flatMap(Base64URL.decode), let y = fields["y"].flatMap(Base64URL.decode), x.count == 32, y.count == 32
        else {
            throw HarnessError("JWK \(kid ?? "?") has no 32-byte x and y: \(jsonText)")
        }
        return try P256.Signing.PublicKey(rawRepresentation: x + y)
    }

    /// Every key the auth service publishes now.
    static func fetchAll(_ stack: Stack) async throws -> [PublishedKey] {
        let response = try await stack.http.send(.GET, stack.url("/v1/auth/jwks"))
        guard response.status == 200, let keys = try response.jsonObject()["keys"] as? [[String: Any]] else {
            throw HarnessError("GET /v1/auth/jwks: expected 200 with a keys array, got \(response.status): \(response.text.prefix(500))")
        }
        return try keys.map { key in
            let fields = key.compactMapValues { $0 as? String }
            return PublishedKey(
                fields: fields,
                jsonText: try canonicalJSON(key),
                servedText: fields["kid"].flatMap { servedObject(kid: $0, in: response.text) }
            )
        }
    }

    /// The published key with this kid.
    static func fetch(kid: String, _ stack: Stack) async throws -> PublishedKey {
        let keys = try await fetchAll(stack)
        guard let key = keys.first(where: { $0.kid == kid }) else {
            throw HarnessError("GET /v1/auth/jwks has no key \(kid); kids: \(keys.map { $0.kid ?? "?" })")
        }
        return key
    }

    /// The `{...}` around `"kid"` in the raw JWKS text (a JWK has no nested objects).
    private static func servedObject(kid: String, in text: String) -> String? {
        guard let value = text.range(of: "\"\(kid)\""),
            let open = text[..<value.lowerBound].lastIndex(of: "{"),
            let close = text[value.upperBound...].firstIndex(of: "}")
        else { return nil }
        return String(text[open...close])
    }
}

// MARK: The signing keys in auth's database

/// One row of auth's `signing_keys`, private half included.
struct SigningKey: Sendable {
    let kid: String
    let privateKey: P256.Signing.PrivateKey
    /// `public_jwk` as Postgres prints the jsonb value.
    let publicJWKText: String?
}

/// Reads auth's `signing_keys` table through `AUTH_DATABASE_URL`, to forge tokens with the real keys.
enum AuthKeyStore {
    static let logger = Logger(label: "integration.auth-key-store")

    /// The key with this kid.
    static func key(kid: String) async throws -> SigningKey {
        let rows = try await withClient { client in
            try await rowsOf(
                client.query(
                    "SELECT kid, private_key_pem, public_jwk::text FROM signing_keys WHERE kid = \(kid)",
                    logger: logger
                )
            )
        }
        guard let row = rows.first else { throw HarnessError("signing_keys has no row with kid \(kid)") }
        return try signingKey(row)
    }

    /// The key auth signs with now: the newest row not retired.
    static func activeKey() async throws -> SigningKey {
        let rows = try await withClient { client in
            try await rowsOf(
                client.query(
                    "SELECT kid, private_key_pem, public_jwk::text FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
                    logger: logger
                )
            )
        }
        guard let row = rows.first else { throw HarnessError("signing_keys has no active row") }
        return try signingKey(row)
    }

    private static func rowsOf(_ sequence: PostgresRowSequence) async throws -> [KeyRow] {
        var rows: [KeyRow] = []
        for try await (kid, pem, jwk) in sequence.decode((String, String, String?).self) {
            rows.append(KeyRow(kid: kid, pem: pem, jwk: jwk))
        }
        return rows
    }

    private struct KeyRow: Sendable {
        let kid: String
        let pem: String
        let jwk: String?
    }

    private static func signingKey(_ row: KeyRow) throws -> SigningKey {
        do {
            return SigningKey(kid: row.kid, privateKey: try P256.Signing.PrivateKey(pemRepresentation: row.pem), publicJWKText: row.jwk)
        } catch {
            throw HarnessError("signing_keys.private_key_pem of \(row.kid) is not a P-256 PEM key: \(error)")
        }
    }

    /// Runs `body` with a running client of auth's database, at most 10 s in all.
    static func withClient<Value: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        try await ServiceDatabase.withClient("auth", timeout: .seconds(10), body)
    }
}

// MARK: Sessions

/// `("Authorization", "Bearer <token>")`.
func bearer(_ token: String) -> (String, String) {
    ("Authorization", "Bearer \(token)")
}

/// Sends until `done` holds for the response, at most `attempts` times 100 ms apart; the last response.
func pollResponse(
    attempts: Int = 100,
    until done: (HTTPResult) -> Bool,
    send: () async throws -> HTTPResult
) async throws -> HTTPResult {
    var response = try await send()
    var attempt = 1
    while !done(response), attempt < attempts {
        try await Task.sleep(for: .milliseconds(100))
        response = try await send()
        attempt += 1
    }
    return response
}

/// `GET /v1/users/me` (through the gateway unless `url` says otherwise), repeated for up to 10 s while it
/// answers 404: the profile is created asynchronously after registration.
func awaitProfile(_ stack: Stack, token: String, url: String? = nil) async throws -> HTTPResult {
    let target = url ?? stack.url("/v1/users/me")
    return try await pollResponse(
        until: { $0.status != 404 },
        send: { try await stack.http.send(.GET, target, headers: [bearer(token)]) }
    )
}

/// The answer of a successful login or refresh.
struct TokenPair: Sendable {
    let accessToken: String
    let refreshToken: String
    let tokenType: String?
    let expiresIn: Int?

    /// Reads a 200 answer; throws (with the body) on anything else.
    init(_ response: HTTPResult, what: String) throws {
        guard response.status == 200, let object = try? response.jsonObject(),
            let access = object["accessToken"] as? String, !access.isEmpty,
            let refresh = object["refreshToken"] as? String, !refresh.isEmpty
        else {
            throw HarnessError("\(what): expected 200 with a token pair, got \(response.status): \(response.text.prefix(500))")
        }
        self.accessToken = access
        self.refreshToken = refresh
        self.tokenType = object["tokenType"] as? String
        self.expiresIn = jsonInteger(object["expiresIn"])
    }
}

/// A fresh account, logged in.
struct Session: Sendable {
    let id: String
    let email: String
    let password: String
    let name: String
    let tokens: TokenPair

    var accessToken: String { tokens.accessToken }
    var refreshToken: String { tokens.refreshToken }

    /// A unique address nobody registered.
    static func newEmail() -> String {
        "u-\(UUID().uuidString.lowercased())@example.com"
    }

    /// A unique password.
    static func newPassword() -> String {
        "pw-\(UUID().uuidString)"
    }

    /// `POST /v1/auth/login` through the gateway; throws unless it answers 200 with a pair.
    static func login(_ stack: Stack, email: String, password: String) async throws -> TokenPair {
        let response = try await stack.http.send(
            .POST,
            stack.url("/v1/auth/login"),
            json: try canonicalJSON(["email": email, "password": password])
        )
        return try TokenPair(response, what: "login \(email)")
    }

    /// `POST /v1/auth/refresh` through the gateway, whatever it answers.
    static func refresh(_ stack: Stack, refreshToken: String) async throws -> HTTPResult {
        try await stack.http.send(.POST, stack.url("/v1/auth/refresh"), json: try canonicalJSON(["refreshToken": refreshToken]))
    }

    /// Registers a fresh customer through the gateway and logs in; by default also waits (10 s at most)
    /// until the user service has its profile.
    static func register(_ stack: Stack, name: String = "Test Customer", waitForProfile: Bool = true) async throws -> Session {
        let email = newEmail()
        let password = newPassword()
        let created = try await stack.http.send(
            .POST,
            stack.url("/v1/auth/register"),
            json: try canonicalJSON(["email": email, "password": password, "name": name])
        )
        guard created.status == 201, let id = (try? created.jsonObject())?["id"] as? String else {
            throw HarnessError("register \(email): expected 201 with an id, got \(created.status): \(created.text.prefix(500))")
        }
        let tokens = try await login(stack, email: email, password: password)
        if waitForProfile {
            let profile = try await awaitProfile(stack, token: tokens.accessToken)
            guard profile.status == 200 else {
                throw HarnessError("the profile of \(email) did not appear within 10 s: \(profile.status) \(profile.text.prefix(500))")
            }
        }
        return Session(id: id, email: email, password: password, name: name, tokens: tokens)
    }

    /// The seeded admin, logged in (its id is the token's `sub`).
    static func admin(_ stack: Stack) async throws -> Session {
        let tokens = try await login(stack, email: stack.adminEmail, password: stack.adminPassword)
        guard let id = try JWT.claims(of: tokens.accessToken)["sub"] as? String else {
            throw HarnessError("the admin's access token has no sub")
        }
        return Session(id: id, email: stack.adminEmail, password: stack.adminPassword, name: "admin", tokens: tokens)
    }
}
