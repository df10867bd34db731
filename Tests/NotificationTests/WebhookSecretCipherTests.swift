import Foundation
import ServiceKit
import Testing

@testable import NotificationService

struct WebhookSecretCipherTests {
    static let keyA = Data(repeating: 1, count: 32).base64EncodedString()
    static let keyB = Data(repeating: 2, count: 32).base64EncodedString()

    private func cipher(_ keys: String, active: String? = nil) throws -> WebhookSecretCipher {
        var environment = ["NOTIFICATION_WEBHOOK_KEYS": keys]
        environment["NOTIFICATION_WEBHOOK_KEY_ID"] = active
        return try WebhookSecretCipher(settings: SettingsReader(environment: environment))
    }

    @Test func theStoredFormIsNotTheSecretAndOpensToIt() throws {
        let cipher = try self.cipher("a:\(Self.keyA)")
        let secret = WebhookSignature.makeSecret()
        let sealed = try cipher.seal(secret)
        #expect(sealed.range(of: Data(secret.utf8)) == nil, "the secret's text does not appear in what is stored")
        #expect(FieldCipher.keyID(of: sealed) == "a")
        #expect(try cipher.open(.sealed(sealed)) == secret)
        #expect(try cipher.seal(secret) != sealed, "a fresh nonce every time")
    }

    /// As payment's card keys: a new active key seals new secrets; old ones open with their own key.
    @Test func keysRotateAsPaymentsCardKeysDo() throws {
        let before = try self.cipher("a:\(Self.keyA)")
        let old = try before.seal("old secret")
        let rotated = try self.cipher("a:\(Self.keyA),b:\(Self.keyB)", active: "b")
        #expect(rotated.activeKeyID == "b")
        #expect(try rotated.open(.sealed(old)) == "old secret")
        let new = try rotated.seal("new secret")
        #expect(FieldCipher.keyID(of: new) == "b")
        let withoutA = try self.cipher("b:\(Self.keyB)")
        #expect(throws: WebhookSecretCipher.Unreadable.self) { try withoutA.open(.sealed(old)) }
        var tampered = new
        tampered[tampered.count - 1] ^= 1
        #expect(throws: WebhookSecretCipher.Unreadable.self) { try rotated.open(.sealed(tampered)) }
    }

    @Test func aPlainSecretFromBeforeEncryptionStillSigns() throws {
        let cipher = try self.cipher("a:\(Self.keyA)")
        #expect(try cipher.open(.plain("legacy")) == "legacy")
        #expect(StoredWebhookSecret(ciphertext: nil, plaintext: "legacy") == .plain("legacy"))
        #expect(StoredWebhookSecret(ciphertext: Data([1]), plaintext: "legacy") == .sealed(Data([1])))
        #expect(StoredWebhookSecret(ciphertext: nil, plaintext: nil) == nil)
    }

    @Test func theKeysAreRequired() {
        #expect(throws: ConfigurationError.self) { try WebhookSecretCipher(settings: SettingsReader(environment: [:])) }
        #expect(throws: ConfigurationError.self) { try self.cipher("a:not-base64") }
        #expect(throws: ConfigurationError.self) { try self.cipher("a:\(Self.keyA)", active: "z") }
    }
}
