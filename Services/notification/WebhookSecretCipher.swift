import Foundation
import ServiceKit

/// A webhook's signing secret as the `webhooks` table holds it.
enum StoredWebhookSecret: Sendable, Equatable {
    /// Sealed with ``FieldCipher`` (`secret_ciphertext`, the key id inside it and in `secret_key_id`).
    case sealed(Data)
    /// In plain text (`secret`): a row written before secrets were encrypted, which
    /// ``WebhookSecretSealer`` seals at the next start.
    case plain(String)

    /// The stored form of a row's two columns; `nil` when both are empty.
    init?(ciphertext: Data?, plaintext: String?) {
        if let ciphertext {
            self = .sealed(ciphertext)
        } else if let plaintext {
            self = .plain(plaintext)
        } else {
            return nil
        }
    }
}

/// Encrypts webhook secrets at rest exactly as payment encrypts card numbers: AES-256-GCM with
/// ``FieldCipher``, keys from `NOTIFICATION_WEBHOOK_KEYS` (`kid:base64 of 32 bytes`, comma-separated)
/// and the active one from `NOTIFICATION_WEBHOOK_KEY_ID` (default the first listed). Rotation:
/// add a new key, make it the active one; secrets sealed with an older key still open with it,
/// so every key that sealed a stored secret stays listed.
struct WebhookSecretCipher: Sendable {
    let cipher: FieldCipher

    /// A secret that cannot be read back: unknown key, tampered ciphertext, or not UTF-8.
    struct Unreadable: Error, CustomStringConvertible {
        var reason: String
        var description: String { "the webhook's secret cannot be decrypted: \(self.reason)" }
    }

    init(cipher: FieldCipher) {
        self.cipher = cipher
    }

    init(settings: SettingsReader) throws {
        self.cipher = try FieldCipher(settings: settings, keysKey: "notification.webhookKeys", activeKey: "notification.webhookKeyId")
    }

    /// The key new secrets are sealed with.
    var activeKeyID: String { self.cipher.activeKeyID }

    func seal(_ secret: String) throws -> Data {
        try self.cipher.seal(Data(secret.utf8))
    }

    func open(_ stored: StoredWebhookSecret) throws -> String {
        switch stored {
        case .plain(let secret):
            return secret
        case .sealed(let sealed):
            let bytes: Data
            do {
                bytes = try self.cipher.open(sealed)
            } catch let failure as FieldCipher.Failure {
                throw Unreadable(reason: Self.describe(failure))
            }
            guard let secret = String(bytes: bytes, encoding: .utf8) else { throw Unreadable(reason: "not UTF-8") }
            return secret
        }
    }

    private static func describe(_ failure: FieldCipher.Failure) -> String {
        switch failure {
        case .malformed: "malformed ciphertext"
        case .unknownKey(let kid): "key \"\(kid)\" is not in NOTIFICATION_WEBHOOK_KEYS"
        case .authenticationFailed: "authentication failed (wrong key or altered data)"
        }
    }
}
