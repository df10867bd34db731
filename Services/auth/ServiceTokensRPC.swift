import Contracts
import Crypto
import Foundation
import GRPCCore
import InternalAPI
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

/// `shop.auth.v1.ServiceTokens/IssueToken`: the client-credentials grant for services. The
/// caller authenticates with `authorization: Basic base64(clientId:secret)` metadata and names
/// the service it will call; the answer is a short-lived token for that audience alone,
/// carrying the scopes ``ServiceGrantTable`` gives the pair. A pair the table does not list
/// gets no token (`PERMISSION_DENIED`).
struct ServiceTokensRPC: Shop_Auth_V1_ServiceTokens.SimpleServiceProtocol {
    /// The longest audience (a service's name) auth reads.
    static let maxAudienceLength = 64

    let clients: ServiceClientRegistry
    let grants: ServiceGrantTable
    let issuer: TokenIssuer

    func issueToken(request: Shop_Auth_V1_IssueTokenRequest, context: ServerContext) async throws -> Shop_Auth_V1_IssueTokenResponse {
        let call = try RPCCall.require()
        guard let (clientID, secret) = Self.basicCredentials(call.credentials),
            self.clients.authenticate(clientID: clientID, secret: secret)
        else {
            call.logger.info("service token refused")
            throw RPCError(code: .unauthenticated, message: "Valid client credentials (Basic) are required.")
        }
        guard (1...Self.maxAudienceLength).contains(request.audience.utf8.count) else {
            throw RPCError(code: .invalidArgument, message: "audience must name the service to call.")
        }
        guard let scopes = self.grants.scopes(client: clientID, audience: request.audience) else {
            call.logger.warning("service token refused: no grant", metadata: ["client.id": "\(clientID)", "token.audience": "\(request.audience)"])
            throw RPCError(code: .permissionDenied, message: "This client may not call that service.")
        }
        let issued = try await self.issuer.issue(service: clientID, audience: request.audience, scopes: scopes, logger: call.logger)
        call.logger.info("service token issued", metadata: ["client.id": "\(clientID)", "token.audience": "\(request.audience)"])
        return .with {
            $0.accessToken = issued.token
            $0.expiresInSeconds = Int64(issued.expiresIn)
            $0.scopes = scopes.map(\.rawValue)
        }
    }

    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
