import NIOSSL

/// TLS for the connections of a ``RedisClient`` (a `rediss://` URL).
///
/// The server's certificate is always verified: it must chain to ``trustRoots`` and name the
/// host the client connects to (an IP address is matched against the certificate's IP
/// addresses). TLS 1.2 is the oldest version offered.
public struct RedisTLS: Sendable {
    /// The authorities that may sign the server's certificate (`REDIS_TLS_CA_FILE`); `nil`
    /// trusts the system's.
    public var trustRoots: [NIOSSLCertificate]?

    /// Verifies against `trustRoots`, or the system's authorities when `nil`.
    public init(trustRoots: [NIOSSLCertificate]? = nil) {
        self.trustRoots = trustRoots
    }

    /// swift-nio-ssl's client configuration.
    var tlsConfiguration: TLSConfiguration {
        TLSFiles.verifyingClientConfiguration(trustRoots: self.trustRoots)
    }
}
