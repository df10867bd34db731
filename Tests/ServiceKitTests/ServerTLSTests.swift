import NIOSSL
import ServiceKit
import Testing

/// `TLS_CERTIFICATE_FILE` and `TLS_KEY_FILE`: HTTPS is configured only from a matching pair.
@Suite("Server TLS settings")
struct ServerTLSTests {
    private func configuration(_ settings: [String: String]) throws -> ServiceConfiguration {
        try ServiceConfiguration(
            service: "api-gateway",
            defaultPort: 8080,
            usesDatabase: false,
            settings: SettingsReader(environment: ["REDIS_URL": "redis://127.0.0.1:6379"].merging(settings) { _, new in new })
        )
    }

    @Test func plainHTTPUnlessBothAreSet() throws {
        #expect(try self.configuration([:]).tls == nil)
    }

    @Test func aCertificateAndItsKeyServeTLS12AndNewer() throws {
        let tls = try #require(
            try self.configuration(["TLS_CERTIFICATE_FILE": try TLSTestFiles.certificateFile, "TLS_KEY_FILE": try TLSTestFiles.keyFile]).tls
        )
        #expect(tls.configuration.minimumTLSVersion == .tlsv12)
        #expect(tls.configuration.certificateChain.count == 1)
    }

    @Test("One file without the other, an unreadable file or a key of another certificate names the setting")
    func badPairs() throws {
        let certificate = try TLSTestFiles.certificateFile
        let key = try TLSTestFiles.keyFile
        // The unrelated authority's key sits beside its certificate (scripts/lib.sh).
        let otherKey = try TLSTestFiles.otherCAFile.replacingOccurrences(of: "other-ca.pem", with: "other-ca-key.pem")
        let cases: [([String: String], String)] = [
            (["TLS_CERTIFICATE_FILE": certificate], "TLS_KEY_FILE"),
            (["TLS_KEY_FILE": key], "TLS_CERTIFICATE_FILE"),
            (["TLS_CERTIFICATE_FILE": "/nonexistent/cert.pem", "TLS_KEY_FILE": key], "TLS_CERTIFICATE_FILE"),
            (["TLS_CERTIFICATE_FILE": certificate, "TLS_KEY_FILE": "/nonexistent/key.pem"], "TLS_KEY_FILE"),
            (["TLS_CERTIFICATE_FILE": certificate, "TLS_KEY_FILE": otherKey], "TLS_KEY_FILE"),
        ]
        for (settings, setting) in cases {
            let error = try #require(throws: ConfigurationError.self) { try self.configuration(settings) }
            #expect(error.setting == setting, "\(settings)")
        }
    }
}
