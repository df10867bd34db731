import NIOSSL

/// The certificate and key a service serves HTTPS with (`TLS_CERTIFICATE_FILE`, `TLS_KEY_FILE`).
///
/// Meant for the gateway, the one service clients reach: behind it, everything a client sends
/// (passwords, tokens, card numbers) is encrypted on the wire. TLS 1.2 is the oldest version
/// accepted; a plain HTTP request to the port is answered by closing the connection.
public struct ServerTLS: Sendable {
    /// swift-nio-ssl's server configuration: the chain, the key, TLS 1.2 or newer.
    public let configuration: TLSConfiguration
    /// Where the certificate chain was read from, safe to log.
    public let certificateFile: String

    /// Reads both files; `nil` when neither setting is given (plain HTTP).
    /// - Throws: ``ConfigurationError`` when only one is given, a file is unreadable, or the key
    ///   does not belong to the certificate.
    public init?(settings: SettingsReader) throws {
        let certificatePath = settings.raw("tls.certificateFile")
        let keyPath = settings.raw("tls.keyFile")
        switch (certificatePath, keyPath) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw ConfigurationError(setting: "TLS_CERTIFICATE_FILE", problem: "is required when TLS_KEY_FILE is set (both or neither)")
        case (_?, nil):
            throw ConfigurationError(setting: "TLS_KEY_FILE", problem: "is required when TLS_CERTIFICATE_FILE is set (both or neither)")
        case (let certificatePath?, let keyPath?):
            try self.init(certificateFile: certificatePath, keyFile: keyPath)
        }
    }

    /// Reads the PEM certificate chain (leaf first) and the PEM private key.
    public init(certificateFile: String, keyFile: String) throws {
        let chain = try TLSFiles.certificates(at: certificateFile, setting: "TLS_CERTIFICATE_FILE")
        let key = try TLSFiles.privateKey(at: keyFile, setting: "TLS_KEY_FILE")
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = TLSFiles.minimumVersion
        // HTTP/1.1 is all the server speaks; saying so lets a client that offers h2 fall back at once.
        configuration.applicationProtocols = ["http/1.1"]
        // Building a context now checks that the key matches the certificate, at start-up.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(setting: "TLS_KEY_FILE", problem: "does not fit the certificate in TLS_CERTIFICATE_FILE (\(error))")
        }
        self.configuration = configuration
        self.certificateFile = certificateFile
    }
}
