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

/// `POST /internal/token`: the client-credentials grant for services (HTTP Basic
/// `clientId:secret`), answering a short-lived token with scope `internal`.
struct ServiceTokenController: Sendable {
    let clients: ServiceClientRegistry
    let issuer: TokenIssuer

    func register(on routes: ServiceRoutes) {
        routes.on(.post, "/internal/token", serviceTokenRequired: false) { request, context in
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
        let issued = try await self.issuer.issue(service: clientID, logger: context.logger)
        context.logger.info("service token issued", metadata: ["client.id": "\(clientID)"])
        return JSONResponse(headers: [.cacheControl: "no-store"], ServiceTokenGrant(accessToken: issued.token, expiresIn: issued.expiresIn))
    }

    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
