import Foundation
import Testing

/// The certificate files `make test` makes for the run (scripts/test.sh): an authority, the
/// servers' certificate it signed (localhost, 127.0.0.1, ::1) with its key, and an unrelated
/// authority. Postgres at `PG_TEST_URL` and Redis at `REDIS_TLS_TEST_URL` serve that certificate.
enum TLSTestFiles {
    static var caFile: String { get throws { try self.required("SHOP_TLS_CA_FILE") } }
    static var otherCAFile: String { get throws { try self.required("SHOP_TLS_OTHER_CA_FILE") } }
    static var certificateFile: String { get throws { try self.required("SHOP_TLS_CERT_FILE") } }
    static var keyFile: String { get throws { try self.required("SHOP_TLS_KEY_FILE") } }
    /// `rediss://127.0.0.1:<TLS port>`.
    static var redisURL: String { get throws { try self.required("REDIS_TLS_TEST_URL") } }

    /// Fails the test (never skips it) when `make test` did not prepare the variable.
    private static func required(_ key: String) throws -> String {
        try #require(ProcessInfo.processInfo.environment[key], "\(key) is not set: run the tests through `make test`, which makes the TLS files")
    }
}
