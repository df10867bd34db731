import Foundation
import PostgresNIO

/// Where a service's Postgres database is, parsed from `DATABASE_URL`.
public struct DatabaseSettings: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var poolSize: Int
    /// Connections the pool opens at start and keeps (`DATABASE_POOL_MIN`; the pool size
    /// unless set).
    public var minimumConnections: Int
    /// How long a connection beyond the minimum may stay idle before it is closed
    /// (`DATABASE_POOL_IDLE_SECONDS`).
    public var idleTimeout: Duration = .seconds(60)
    /// How often an idle connection is checked with a query (`DATABASE_KEEPALIVE_SECONDS`; `nil`:
    /// never, a dead connection is noticed when its socket closes or its next query fails).
    public var keepAlive: Duration? = nil
    /// Encryption of the connections (`DATABASE_TLS`); plain unless set.
    public var tls: DatabaseTLS = .disable

    /// Parses `postgres://user:password@host:port/database`; the error never repeats the URL,
    /// which holds a password.
    public init(url text: String, poolSize: Int = 10) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "must be a postgres:// URL (postgres://user:password@host:port/database)")
        }
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "has no host")
        }
        guard let user = url.user, !user.isEmpty else {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "has no user name")
        }
        // libpq's `?sslmode=` is not read here: refusing it beats silently connecting in the clear.
        if url.queryItems?.contains(where: { $0.name.lowercased() == "sslmode" }) == true {
            throw ConfigurationError(
                setting: "DATABASE_URL",
                problem: "has ?sslmode=, which is not read: set DATABASE_TLS (disable, require, verify-full) instead"
            )
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty else {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "has no database name")
        }
        self.host = host
        let port = url.port ?? 5432
        guard (1...65_535).contains(port) else {
            throw ConfigurationError(setting: "DATABASE_URL", problem: "has a port outside 1...65535")
        }
        self.port = port
        self.username = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        self.poolSize = poolSize
        self.minimumConnections = poolSize
    }

    /// `host:port/database`, safe to log.
    public var redactedDescription: String { "\(self.host):\(self.port)/\(self.database)" }

    /// PostgresNIO's settings for one connection (the pool's come from ``Database``).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: try self.tls.connectionTLS()
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }
}
