import Foundation
import Hummingbird
import ServiceKit

/// `POST /v1/auth/login`, `/refresh` and `/logout`: access tokens and rotating refresh tokens.
struct SessionController: Sendable {
    let accounts: AccountRepository
    let hasher: PasswordHasher
    let issuer: TokenIssuer
    let refreshTokens: RefreshTokenStore
    let throttle: LoginThrottle
    /// Failed refreshes per client address.
    let refreshLimit: ClientAttemptLimit
    /// Verified when the email is unknown, so that answer takes as long as a wrong password.
    let decoyHash: String

    struct Login: Decodable, Sendable, BoundedInput {
        var email: String
        var password: String

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.email, "email", max: CredentialBounds.email)
            bounds.string(self.password, "password", max: CredentialBounds.password)
        }
    }

    struct Refresh: Decodable, Sendable, BoundedInput {
        var refreshToken: String

        func checkBounds(_ bounds: inout InputBounds) {
            bounds.string(self.refreshToken, "refreshToken", max: CredentialBounds.refreshToken)
        }
    }

    /// `{accessToken, refreshToken, tokenType, expiresIn}`.
    struct TokenPair: Encodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    func register(on routes: ServiceRoutes) {
        routes.post("/v1/auth/login") { request, context in try await self.login(request, context: context) }
        routes.post("/v1/auth/refresh") { request, context in try await self.refresh(request, context: context) }
        routes.post("/v1/auth/logout") { request, context in try await self.logout(request, context: context) }
    }

    func login(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<TokenPair> {
        let input = try await request.decodeJSON(as: Login.self, context: context)
        let email = EmailAddress.normalize(input.email)
        let client = request.clientAddress(context: context)
        // Counted before the password is hashed: parallel guesses cannot all pass.
        let attempt: LoginThrottle.Attempt
        do {
            attempt = try await self.throttle.admit(account: email, client: client, logger: context.logger)
        } catch let refusal as ProblemError where refusal.status == .tooManyRequests {
            LoginMetrics.failed(.throttled)
            throw refusal
        }
        let credentials: Credentials?
        let matches: Bool
        do {
            credentials = try await self.accounts.credentials(email: email, logger: context.logger)
            matches = try await self.hasher.verify(input.password, against: credentials?.passwordHash ?? self.decoyHash)
        } catch {
            await self.throttle.abandoned(attempt, logger: context.logger)
            throw error
        }
        guard let credentials, matches else {
            context.logger.info("login failed")
            LoginMetrics.failed(.badCredentials)
            throw ProblemError.unauthorized("The email or password is incorrect.")
        }
        await self.throttle.succeeded(attempt, logger: context.logger)
        let access = try await self.issuer.issue(account: credentials.id, roles: credentials.roles, logger: context.logger)
        let refresh = try await self.refreshTokens.issue(account: credentials.id, logger: context.logger)
        context.logger.info("login succeeded", metadata: ["account.id": "\(credentials.id)"])
        return JSONResponse(
            headers: [.cacheControl: "no-store"],
            TokenPair(accessToken: access.token, refreshToken: refresh, expiresIn: access.expiresIn)
        )
    }

    func refresh(_ request: Request, context: ServiceRequestContext) async throws -> JSONResponse<TokenPair> {
        let input = try await request.decodeJSON(as: Refresh.self, context: context)
        // Counted as a failure until it turns out not to be one.
        let attempt = try await self.refreshLimit.take(client: request.clientAddress(context: context), logger: context.logger)
        let outcome: RefreshTokenStore.Outcome
        do {
            outcome = try await self.refreshTokens.rotate(input.refreshToken, logger: context.logger)
        } catch {
            await self.refreshLimit.refund(attempt, logger: context.logger)
            throw error
        }
        switch outcome {
        case .invalid:
            throw ProblemError.unauthorized("The refresh token is invalid, expired or revoked.")
        case .reused:
            context.logger.warning("spent refresh token presented again; its family is revoked")
            throw ProblemError.unauthorized("The refresh token is invalid, expired or revoked.")
        case .rotated(let account, let successor):
            await self.refreshLimit.refund(attempt, logger: context.logger)
            guard let roles = try await self.accounts.roles(of: account, logger: context.logger) else {
                throw ProblemError.unauthorized("The refresh token is invalid, expired or revoked.")
            }
            let access = try await self.issuer.issue(account: account, roles: roles, logger: context.logger)
            return JSONResponse(
                headers: [.cacheControl: "no-store"],
                TokenPair(accessToken: access.token, refreshToken: successor, expiresIn: access.expiresIn)
            )
        }
    }

    func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let input = try await request.decodeJSON(as: Refresh.self, context: context)
        try await self.refreshTokens.revokeFamily(of: input.refreshToken, logger: context.logger)
        return Response(status: .noContent)
    }
}
