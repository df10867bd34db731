import Logging
import NIOSSL
import PostgresNIO
import ServiceKit
import Testing

/// `DATABASE_TLS` and `DATABASE_TLS_CA_FILE`: parsing, and connections to the test Postgres,
/// which offers TLS (with the run's certificate) beside plain connections.
@Suite("Database TLS")
struct DatabaseTLSTests {
    private static let base = ["DATABASE_URL": "postgres://shop:pw@127.0.0.1:5432/shop", "REDIS_URL": "redis://127.0.0.1:6379"]

    private func configuration(_ settings: [String: String]) throws -> ServiceConfiguration {
        try ServiceConfiguration(
            service: "product",
            defaultPort: 8083,
            usesDatabase: true,
            settings: SettingsReader(environment: Self.base.merging(settings) { _, new in new })
        )
    }

    // MARK: Settings

    @Test func plainUnlessSet() throws {
        let database = try #require(try self.configuration([:]).database)
        #expect(database.tls.name == "disable")
    }

    @Test func verifyFullReadsTheAuthorityFile() throws {
        let database = try #require(
            try self.configuration(["DATABASE_TLS": "verify-full", "DATABASE_TLS_CA_FILE": try TLSTestFiles.caFile]).database
        )
        guard case .verifyFull(let roots?) = database.tls else {
            Issue.record("expected verify-full with trust roots, got \(database.tls.name)")
            return
        }
        #expect(roots.count == 1)
    }

    @Test(
        "A bad TLS setting names itself",
        arguments: [
            (["DATABASE_TLS": "prefer"], "DATABASE_TLS"),
            (["DATABASE_TLS": "verify-full", "DATABASE_TLS_CA_FILE": "/nonexistent/ca.pem"], "DATABASE_TLS_CA_FILE"),
            (["DATABASE_TLS": "require", "DATABASE_TLS_CA_FILE": "/nonexistent/ca.pem"], "DATABASE_TLS_CA_FILE"),
            (["DATABASE_URL": "postgres://shop:pw@db/shop?sslmode=require"], "DATABASE_URL"),
        ]
    )
    func badSettings(settings: [String: String], setting: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try self.configuration(settings) }
        #expect(error.setting == setting)
        #expect(!error.description.contains("pw@"), "never the password")
    }

    // MARK: Connections

    /// `PG_TEST_URL` with `tls`, on `host` instead of the URL's when given.
    private func database(_ tls: DatabaseTLS, host: String? = nil) throws -> Database {
        var settings = try PostgresTestDatabase.settings()
        settings.tls = tls
        if let host { settings.host = host }
        return Database(settings: settings, logger: PostgresTestDatabase.logger)
    }

    /// Whether the pool's connection is encrypted, as the server sees it.
    private func isEncrypted(_ database: Database) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            try await database.probe(timeout: .seconds(10), logger: PostgresTestDatabase.logger)
            let rows = try await database.client.query(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                logger: PostgresTestDatabase.logger
            )
            for try await ssl in rows.decode(Bool.self) { return ssl }
            return false
        }
    }

    @Test("verify-full with the right authority: the connection is TLS (by IP address and by host name)", arguments: ["127.0.0.1", "localhost"])
    func verifyFullConnects(host: String) async throws {
        let roots = try NIOSSLCertificate.fromPEMFile(try TLSTestFiles.caFile)
        #expect(try await self.isEncrypted(try self.database(.verifyFull(trustRoots: roots), host: host)))
    }

    @Test("require: TLS without checking the certificate; disable: plain")
    func requireAndDisable() async throws {
        #expect(try await self.isEncrypted(try self.database(.require)))
        #expect(try await !self.isEncrypted(try self.database(.disable)))
    }

    @Test("verify-full with an unrelated authority fails at once, saying the handshake failed")
    func wrongAuthorityIsRefused() async throws {
        let roots = try NIOSSLCertificate.fromPEMFile(try TLSTestFiles.otherCAFile)
        let database = try self.database(.verifyFull(trustRoots: roots))
        let error = try await #require(throws: DatabaseConnectError.self) {
            try await database.probe(timeout: .seconds(10), logger: PostgresTestDatabase.logger)
        }
        #expect(error.description.contains("TLS handshake failed"), "\(error)")
        #expect(error.description.contains("DATABASE_TLS_CA_FILE"), "\(error)")
        #expect(error.description.contains("verify-full"), "\(error)")
    }

    @Test("verify-full with the system's authorities refuses the run's private authority")
    func systemAuthoritiesRefuseAPrivateOne() async throws {
        let database = try self.database(.verifyFull(trustRoots: nil))
        let error = try await #require(throws: DatabaseConnectError.self) {
            try await database.probe(timeout: .seconds(10), logger: PostgresTestDatabase.logger)
        }
        #expect(error.description.contains("TLS handshake failed"), "\(error)")
    }
}
