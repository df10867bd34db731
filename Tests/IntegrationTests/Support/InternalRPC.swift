import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import InternalAPI
import SwiftProtobuf

/// Calls to a service's internal gRPC API straight from the suite: as a service makes them (its
/// real token), or as an attacker would (no token, another's, a customer's).
enum InternalRPC {
    typealias Transport = HTTP2ClientTransport.Posix
    typealias Client = GRPCClient<Transport>

    /// Runs `body` with a client connected to `service`'s gRPC port in `stack`.
    static func withClient<Result: Sendable>(
        _ stack: Stack,
        _ service: String,
        _ body: (Client) async throws -> Result
    ) async throws -> Result {
        let port = try stack.grpcPort(service)
        return try await withGRPCClient(
            transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            try await body(client)
        }
    }

    /// The metadata of a call with `token` (as a bearer token) and an idempotency key.
    static func metadata(token: String?, idempotencyKey: String? = UUID().uuidString) -> Metadata {
        var metadata: Metadata = [:]
        if let token { metadata.addString("Bearer \(token)", forKey: "authorization") }
        if let idempotencyKey { metadata.addString(idempotencyKey, forKey: "idempotency-key") }
        metadata.addString("suite-\(UUID().uuidString.lowercased())", forKey: "x-request-id")
        return metadata
    }

    /// Calls `method` with an empty message (every field at its default, which names nothing
    /// that exists); the status the callee answers, `.ok` included.
    static func status(of method: MethodDescriptor, on client: Client, metadata: Metadata) async -> RPCError.Code? {
        do {
            _ = try await client.unary(
                request: ClientRequest(message: Google_Protobuf_Empty(), metadata: metadata),
                descriptor: method,
                serializer: ProtobufSerializer<Google_Protobuf_Empty>(),
                deserializer: ProtobufDeserializer<Google_Protobuf_Empty>(),
                options: .defaults
            ) { response in try response.message }
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    /// auth's `IssueToken` as `client` (one of the stack's seven, with its real secret, unless
    /// `secret` is given) for a token to call `audience`.
    static func issueToken(
        _ stack: Stack,
        as client: String,
        for audience: String,
        secret: String? = nil
    ) async throws
        -> Shop_Auth_V1_IssueTokenResponse
    {
        let basic = Data("\(client):\(secret ?? Stack.serviceClientSecret(for: client))".utf8).base64EncodedString()
        return try await Self.withClient(stack, "auth") { client in
            try await Shop_Auth_V1_ServiceTokens.Client(wrapping: client).issueToken(
                .with { $0.audience = audience },
                metadata: ["authorization": "Basic \(basic)"]
            )
        }
    }
}
