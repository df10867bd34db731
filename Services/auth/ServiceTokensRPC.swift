import Contracts
import Crypto
import Foundation
import Hummingbird
import ServiceKit

/// The services allowed to obtain service tokens, from `AUTH_SERVICE_CLIENTS`
/// (`clientId:secret,clientId:secret`). Secrets are kept only as SHA-256 digests.
struct ServiceClientRegistry: Sendable {
    private let digests: [String: Data]

    init(settings: SettingsReader) throws {
        var digests: [String: Data] = [:]
        for entry in (settings.raw("auth.serviceClients", secret: true) ?? "").split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 16 else {
                throw ConfigurationError(
                    setting: "AUTH_SERVICE_CLIENTS",
                    problem: "must be clientId:secret pairs, comma-separated, secrets of 16+ characters"
                )
            }
            digests[parts[0]] = Self.digest(parts[1])
        }
        self.digests = digests
    }

    /// Whether `secret` is the client's; constant time over the digests.
    func authenticate(clientID: String, secret: String) -> Bool {
        let expected = self.digests[clientID] ?? Self.digest("unknown client \(clientID)")
        let presented = Self.digest(secret)
        let same = zip(expected, presented).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        return same && self.digests[clientID] != nil
    }

    private static func digest(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }
}

/// `POST /internal/token`: the client-credentials grant for services. The caller authenticates
/// with HTTP Basic `clientId:secret` and names the service it will call
/// (`{"grantType":"client_credentials","audience":"payment"}`); the answer is a short-lived
/// token for that audience alone, carrying the scopes ``ServiceGrantTable`` gives the pair.
/// A pair the table does not list gets no token (403).
struct ServiceTokenController: Sendable {
    let clients: ServiceClientRegistry
    let grants: ServiceGrantTable
    let issuer: TokenIssuer

    func register(on routes: ServiceRoutes) {
        routes.on(.post, "/internal/token", access: .ownCredentials) { request, context in
            try await self.token(request, context: context)
        }
    }

    func token(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<ServiceTokenGrant> {
        guard let (clientID, secret) = Self.basicCredentials(request.headers[.authorization]),
            self.clients.authenticate(clientID: clientID, secret: secret)
        else {
            context.logger.info("service token refused")
            throw ProblemError(
                status: .unauthorized,
                kind: "unauthorized",
                title: "Unauthorized",
                detail: "Valid client credentials (HTTP Basic) are required.",
                headers: [.wwwAuthenticate: #"Basic realm="internal""#]
            )
        }
        let body = try await request.decodeJSON(as: ServiceTokenRequest.self, context: context)
        var validator = Validator()
        validator.check(body.grantType == "client_credentials", "grantType", "must be client_credentials")
        validator.check((1...ServiceTokenRequest.maxAudienceLength).contains(body.audience.utf8.count), "audience", "must name the service to call")
        try validator.validate()
        guard let scopes = self.grants.scopes(client: clientID, audience: body.audience) else {
            context.logger.warning("service token refused: no grant", metadata: ["client.id": "\(clientID)", "token.audience": "\(body.audience)"])
            throw ProblemError.forbidden("This client may not call that service.")
        }
        let issued = try await self.issuer.issue(service: clientID, audience: body.audience, scopes: scopes, logger: context.logger)
        context.logger.info("service token issued", metadata: ["client.id": "\(clientID)", "token.audience": "\(body.audience)"])
        let scope = scopes.map(\.rawValue).joined(separator: " ")
        return JSONResponse(
            headers: [.cacheControl: "no-store"],
            ServiceTokenGrant(accessToken: issued.token, expiresIn: issued.expiresIn, scope: scope)
        )
    }

    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
