import PostgresNIO

/// A connection to Postgres that could not be opened, described in one line that names the
/// cause: a refused TLS handshake, a server without TLS, or the server's own message. Never
/// contains the password.
public struct DatabaseConnectError: Error, Sendable, CustomStringConvertible {
    /// `host:port/database` and the TLS mode.
    public let location: String
    /// What went wrong.
    public let reason: String

    init(settings: DatabaseSettings, underlying: any Error) {
        self.location = "\(settings.redactedDescription) (DATABASE_TLS=\(settings.tls.name))"
        self.reason = Self.reason(for: underlying, tls: settings.tls)
    }

    public var description: String { "could not connect to Postgres at \(self.location): \(self.reason)" }

    private static func reason(for error: any Error, tls: DatabaseTLS) -> String {
        guard let error = error as? PSQLError else {
            return TLSFiles.handshakeFailure(in: error) ?? "\(error)"
        }
        if let underlying = error.underlying, let handshake = TLSFiles.handshakeFailure(in: underlying) {
            switch tls {
            case .verifyFull:
                let hint = "is DATABASE_TLS_CA_FILE the authority that signed the server's certificate, and does the certificate name the host?"
                return "\(handshake) (\(hint))"
            case .require, .disable:
                return handshake
            }
        }
        switch error.code {
        case .sslUnsupported:
            return "the server does not offer TLS, and DATABASE_TLS=\(tls.name) requires it"
        case .server:
            // The server's own message ("password authentication failed for user ..."); never the password.
            let message = error.serverInfo?[.message] ?? "no message"
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "the server refused: \(message)\(state)"
        default:
            // PSQLError's own description hides everything; the code and the cause are safe to show.
            return "\(error.code)\(error.underlying.map { ": \($0)" } ?? "")"
        }
    }
}
