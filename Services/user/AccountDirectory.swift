import Contracts
import Foundation
import Logging
import NIOCore
import ServiceKit

/// Auth's accounts as `user.registered` describes them, read with user's service token from
/// `GET /internal/accounts/{id}`.
struct AccountDirectory: Sendable {
    let client: InternalClient

    /// The account's registration, `nil` when auth has no such account. An unreachable auth
    /// throws the problem user answers with (503 or 504).
    func registration(of id: UUID, propagation: PropagationHeaders?, logger: Logger) async throws -> UserRegistered? {
        do {
            let (_, body) = try await self.client.send(
                .GET,
                "/internal/accounts/\(id.uuidString.lowercased())",
                to: ServiceName.auth,
                json: nil,
                idempotencyKey: UUIDv4.string(),
                propagating: propagation,
                logger: logger
            )
            return try WireJSON.decoder().decode(UserRegistered.self, from: Data(buffer: body))
        } catch ServiceClientError.problem(_, let problem) where problem.status == 404 {
            return nil
        } catch let error as ServiceClientError {
            throw error.asProblem
        }
    }
}
