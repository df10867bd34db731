import Logging
import NIOCore
import PostgresNIO
import Tracing

/// A service's Postgres pool. Add ``client`` to the service group: it only works while running.
public struct Database: Sendable {
    /// The pooled client.
    public let client: PostgresClient
    /// Where it points, safe to log.
    public let location: String
    private let settings: DatabaseSettings

    /// Creates the pool (no connection is opened until the first query).
    public init(settings: DatabaseSettings, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.username,
            password: settings.password,
            database: settings.database,
            tls: settings.tls.clientTLS
        )
        configuration.options.maximumConnections = settings.poolSize
        // Every time a connection goes back to the pool, PostgresNIO starts a timer task for its
        // keep-alive and, beyond the minimum, for its idle timeout; the next lease cancels them,
        // but a cancelled sleep is held by the runtime until its deadline. Under load that was
        // ~1 KiB per query for a minute: product grew by 105 MiB in 24 s of reads, and served
        // 30% fewer. Hence a fixed pool (minimum = size) and no keep-alive timer by default.
        configuration.options.minimumConnections = min(settings.minimumConnections, settings.poolSize)
        configuration.options.connectionIdleTimeout = settings.idleTimeout
        configuration.options.keepAliveBehavior = settings.keepAlive.map { .init(frequency: $0) }
        configuration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = settings.redactedDescription
        self.settings = settings
    }

    /// Opens one connection of its own (not from the pool), runs `SELECT 1` and closes it.
    ///
    /// The pool retries a failing connection quietly until a query gives up, so a refused TLS
    /// handshake or password would only show as a timeout; this fails at once with the cause.
    public func probe(timeout: Duration, logger: Logger) async throws {
        let configuration = try self.settings.connectionConfiguration()
        try await withDeadline(timeout) {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            } catch {
                throw DatabaseConnectError(settings: self.settings, underlying: error)
            }
            do {
                _ = try await connection.query("SELECT 1", logger: logger)
            } catch {
                try? await connection.close()
                throw DatabaseConnectError(settings: self.settings, underlying: error)
            }
            try await connection.close()
        }
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
    ///
    /// A transaction the server aborted as a deadlock victim or a serialization failure
    /// (SQLSTATE 40P01, 40001) is run again, up to `attempts` times in all, after a short random
    /// pause: `body` must therefore do nothing but database work (never a remote call).
    public func transaction<Result: Sendable>(
        attempts: Int = 4,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await TracePropagation.withChildSpan("db.transaction", ofKind: .client, attributes: Self.spanAttributes) {
                    try await self.transactionOnce(logger: logger, body)
                }
            } catch let error as PSQLError where attempt < attempts && Self.isRetryable(error) {
                logger.info(
                    "transaction aborted by the server; running it again",
                    metadata: ["sql.state": "\(error.serverInfo?[.sqlState] ?? "")", "retry.attempt": "\(attempt)"]
                )
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
                attempt += 1
            }
        }
    }

    private static func spanAttributes(_ attributes: inout SpanAttributes) {
        attributes["db.system.name"] = "postgresql"
    }

    /// Whether the server aborted a transaction that may simply be run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    private func transactionOnce<Result: Sendable>(
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
