import Foundation
import Logging
import ServiceKit

/// The key that signs access tokens now.
///
/// A key from configuration (`AUTH_SIGNING_KEY_FILE` or `AUTH_SIGNING_KEY_PEM`) always signs and
/// is published in the key set; without one, a key is generated at first start and kept in the
/// database (development), and `rotate()` replaces it. Replicas re-read the stored key every
/// few seconds, so a rotation on one reaches all.
actor SigningKeyRing {
    let store: SigningKeyStore
    let configured: SigningKey?
    /// How long a replaced key keeps verifying: the lifetime of the tokens it signed.
    let retirementGrace: Duration
    let cacheLifetime: Duration
    private var signer: AccessTokenSigner?
    private var loadedAt: ContinuousClock.Instant?

    init(store: SigningKeyStore, configured: SigningKey?, retirementGrace: Duration, cacheLifetime: Duration = .seconds(10)) {
        self.store = store
        self.configured = configured
        self.retirementGrace = retirementGrace
        self.cacheLifetime = cacheLifetime
    }

    /// Reads the configured key, if any: a PEM file path or the PEM itself, and an optional key id.
    static func configuredKey(settings: SettingsReader) throws -> SigningKey? {
        let kid = settings.raw("auth.signingKeyId")
        let pem: String
        if let path = settings.raw("auth.signingKeyFile") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(setting: "AUTH_SIGNING_KEY_FILE", problem: "cannot be read: \(path)")
            }
            pem = String(decoding: data, as: UTF8.self)
        } else if let value = settings.raw("auth.signingKeyPem", secret: true) {
            // Environment variables often carry PEM with literal "\n".
            pem = value.replacingOccurrences(of: "\\n", with: "\n")
        } else {
            return nil
        }
        do {
            return try SigningKey(pem: pem, kid: kid)
        } catch {
            let setting = settings.raw("auth.signingKeyFile") == nil ? "AUTH_SIGNING_KEY_PEM" : "AUTH_SIGNING_KEY_FILE"
            throw ConfigurationError(setting: setting, problem: "must be a P-256 private key in PEM (PKCS #8 or SEC 1)")
        }
    }

    /// At start-up: publishes the configured key, or makes sure a stored key exists.
    func prepare(logger: Logger) async throws {
        if let configured {
            try await self.store.install(
                configured,
                storePrivateKey: false,
                retireOthersAfter: self.retirementGrace,
                onlyIfNone: false,
                logger: logger
            )
            logger.info("signing key from configuration", metadata: ["jwt.kid": "\(configured.kid)"])
        } else {
            let key = SigningKey.generate()
            if try await self.store.install(key, storePrivateKey: true, retireOthersAfter: self.retirementGrace, onlyIfNone: true, logger: logger) {
                logger.warning(
                    "signing key generated and stored in the database; configure AUTH_SIGNING_KEY_FILE in production",
                    metadata: ["jwt.kid": "\(key.kid)"]
                )
            }
        }
        _ = try await self.currentSigner(logger: logger)
    }

    /// The signer of the current key.
    func currentSigner(logger: Logger) async throws -> AccessTokenSigner {
        if let signer, let loadedAt, ContinuousClock.now - loadedAt < self.cacheLifetime { return signer }
        let key: SigningKey
        if let configured {
            key = configured
        } else {
            guard let stored = try await self.store.activeStoredKey(logger: logger) else {
                throw ProblemError.unavailable("No signing key is available.")
            }
            key = stored
        }
        self.loadedAt = ContinuousClock.now
        if let signer, signer.key.kid == key.kid { return signer }
        let signer = try await AccessTokenSigner(key: key)
        self.signer = signer
        return signer
    }

    /// Generates a new key that signs from now on; the old one verifies until its tokens expire.
    func rotate(logger: Logger) async throws -> SigningKey {
        guard self.configured == nil else {
            throw ProblemError.conflict("The signing key comes from configuration; rotate it by configuring a new one.")
        }
        let key = SigningKey.generate()
        try await self.store.install(key, storePrivateKey: true, retireOthersAfter: self.retirementGrace, onlyIfNone: false, logger: logger)
        self.signer = try await AccessTokenSigner(key: key)
        self.loadedAt = ContinuousClock.now
        logger.info("signing key rotated", metadata: ["jwt.kid": "\(key.kid)"])
        return key
    }
}
