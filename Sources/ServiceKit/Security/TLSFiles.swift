import NIOSSL

/// Reads the PEM files that TLS settings name, at start-up, so that a missing or malformed file
/// stops the process with one line naming the setting instead of failing every connection later.
public enum TLSFiles {
    /// The oldest protocol version any connection of this project accepts, in or out: TLS 1.0 and
    /// 1.1 have known weaknesses (BEAST, SHA-1/MD5 handshake signatures) and are deprecated (RFC 8996).
    public static let minimumVersion: TLSVersion = .tlsv12

    /// Every certificate in the PEM file at `path` (at least one).
    /// - Throws: ``ConfigurationError`` naming `setting` (the file's path is not secret, its content
    ///   is never shown).
    public static func certificates(at path: String, setting: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ConfigurationError(setting: setting, problem: "must name a readable PEM certificate file, got \"\(path)\" (\(error))")
        }
        guard !certificates.isEmpty else {
            throw ConfigurationError(setting: setting, problem: "names a file with no PEM certificate in it: \"\(path)\"")
        }
        return certificates
    }

    /// The private key in the PEM file at `path`.
    /// - Throws: ``ConfigurationError`` naming `setting`; the key's bytes are never shown.
    public static func privateKey(at path: String, setting: String) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw ConfigurationError(setting: setting, problem: "must name a readable, unencrypted PEM private key file, got \"\(path)\" (\(error))")
        }
    }

    /// A client configuration that needs TLS 1.2 or newer and verifies the server's certificate
    /// chain against `trustRoots` (the system's when `nil`) and its name against the host.
    static func verifyingClientConfiguration(trustRoots: [NIOSSLCertificate]?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = Self.minimumVersion
        configuration.certificateVerification = .fullVerification
        if let trustRoots {
            configuration.trustRoots = .certificates(trustRoots)
        }
        return configuration
    }

    /// Whether `error`, or the error it wraps, is a failed TLS handshake, and a line that says so.
    static func handshakeFailure(in error: any Error) -> String? {
        switch error {
        case NIOSSLError.handshakeFailed(let reason):
            return "TLS handshake failed: \(Self.tidy(reason))"
        case let error as NIOSSLExtraError:
            return "TLS handshake failed: \(error)"
        case let error as BoringSSLError:
            return "TLS handshake failed: \(Self.tidy(error))"
        case NIOSSLError.uncleanShutdown:
            return "the server closed the connection during the TLS handshake (does it speak TLS on this port?)"
        default:
            return nil
        }
    }

    /// BoringSSL's text without the source paths of the build it came from
    /// (`… CERTIFICATE_VERIFY_FAILED at /path/to/ssl_x509.cc:123`).
    private static func tidy(_ error: BoringSSLError) -> String {
        var text = "\(error)"
        while let start = text.firstRange(of: " at /") {
            let end = text[start.upperBound...].firstIndex { $0 == "]" || $0 == "," } ?? text.endIndex
            text.removeSubrange(start.lowerBound..<end)
        }
        return text
    }
}
