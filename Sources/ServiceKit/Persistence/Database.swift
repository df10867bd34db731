import Logging
import NIOCore
import PostgresNIO

/// A service's Postgres pool. Add ``client`` to the service group: it only works while running.
public struct Database: Sendable {
    /// The pooled client.
    public let client: PostgresClient
    /// Where it points, safe to log.
    public let location: String

    /// Creates the pool (no connection is opened until the first query).
    public init(settings: DatabaseSettings, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.username,
            password: settings.password,
            database: settings.database,
            tls: .disable
        )
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = settings.redactedDescription
    }

    /// Runs `SELECT 1`, failing after `timeout` instead of hanging on an unreachable server.
    public func ping(timeout: Duration, logger: Logger) async throws {
        _ = try await withDeadline(timeout) {
            try await self.client.query("SELECT 1", logger: logger)
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// An error thrown by `body` comes out as itself (PostgresNIO wraps it in
    /// `PostgresTransactionError`), so a ``ProblemError`` or a domain error thrown inside a
    /// transaction means the same as outside; if the rollback itself failed, that is logged.
    public func transaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await self.client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let rollbackError = error.rollbackError {
                logger.warning("transaction rollback failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
            }
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
