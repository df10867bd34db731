import NIOSSL
import PostgresNIO

/// How a service's connections to Postgres are encrypted (`DATABASE_TLS`, `DATABASE_TLS_CA_FILE`).
///
/// The names follow libpq's `sslmode`: `disable` sends everything in the clear; `require`
/// encrypts but accepts any certificate, so it stops a passive listener and nothing else;
/// `verify-full` also checks that the certificate chains to a trusted authority and names the
/// host the service connects to, which is what stops a machine in the middle.
public enum DatabaseTLS: Sendable {
    /// Plain TCP (the default, for a database on the same machine or a private link).
    case disable
    /// TLS 1.2+ is required; the server's certificate is not checked.
    case require
    /// TLS 1.2+ is required and the server's certificate must chain to `trustRoots` (the
    /// system's authorities when `nil`) and name the host of `DATABASE_URL` (an IP address is
    /// matched against the certificate's IP addresses).
    case verifyFull(trustRoots: [NIOSSLCertificate]?)

    /// The accepted values of `DATABASE_TLS`.
    public static let modes = ["disable", "require", "verify-full"]

    /// Reads `DATABASE_TLS` (default `disable`) and `DATABASE_TLS_CA_FILE` (only with `verify-full`).
    public init(settings: SettingsReader) throws {
        let mode = settings.string("database.tls", default: "disable").lowercased()
        let caFile = settings.raw("database.tlsCaFile")
        switch mode {
        case "disable", "require":
            if caFile != nil {
                throw ConfigurationError(
                    setting: "DATABASE_TLS_CA_FILE",
                    problem: "is only read with DATABASE_TLS=verify-full (DATABASE_TLS is \(mode)): set both, or neither"
                )
            }
            self = mode == "disable" ? .disable : .require
        case "verify-full":
            self = .verifyFull(trustRoots: try caFile.map { try TLSFiles.certificates(at: $0, setting: "DATABASE_TLS_CA_FILE") })
        default:
            throw ConfigurationError(
                setting: "DATABASE_TLS",
                problem: "must be one of \(Self.modes.joined(separator: ", ")), got \"\(mode.prefix(40))\""
            )
        }
    }

    /// The mode's name, as `DATABASE_TLS` spells it.
    public var name: String {
        switch self {
        case .disable: "disable"
        case .require: "require"
        case .verifyFull: "verify-full"
        }
    }

    /// swift-nio-ssl's client configuration for this mode; `nil` for ``disable``.
    var tlsConfiguration: TLSConfiguration? {
        switch self {
        case .disable:
            return nil
        case .require:
            var configuration = TLSFiles.verifyingClientConfiguration(trustRoots: nil)
            configuration.certificateVerification = .none
            return configuration
        case .verifyFull(let trustRoots):
            return TLSFiles.verifyingClientConfiguration(trustRoots: trustRoots)
        }
    }

    /// PostgresNIO's form for the pool. With TLS on, a server that does not offer it is refused
    /// (never `prefer`: a machine in the middle could simply answer "no TLS").
    var clientTLS: PostgresClient.Configuration.TLS {
        guard let configuration = self.tlsConfiguration else { return .disable }
        return .require(configuration)
    }

    /// PostgresNIO's form for a single connection (``Database/probe(timeout:logger:)``).
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        guard let configuration = self.tlsConfiguration else { return .disable }
        return .require(try NIOSSLContext(configuration: configuration))
    }
}
