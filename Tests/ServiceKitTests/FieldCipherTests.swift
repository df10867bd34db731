import Crypto
import Foundation
import ServiceKit
import Testing

/// AES-GCM field encryption with the key id inside the ciphertext.
struct FieldCipherTests {
    private static let first = SymmetricKey(size: .bits256)
    private static let second = SymmetricKey(size: .bits256)

    @Test func sealsAndOpensWithTheActiveKey() throws {
        let cipher = try FieldCipher(keys: ["k1": Self.first], activeKeyID: "k1")
        let plaintext = Data("+44 20 7946 0958".utf8)
        let sealed = try cipher.seal(plaintext)
        #expect(sealed != plaintext)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("7946"))
        #expect(try cipher.open(sealed) == plaintext)
        #expect(FieldCipher.keyID(of: sealed) == "k1")
        #expect(try cipher.seal(plaintext) != sealed, "a fresh nonce every time")
    }

    @Test func oldDataOpensAfterRotation() throws {
        let before = try FieldCipher(keys: ["k1": Self.first], activeKeyID: "k1")
        let sealed = try before.seal(Data("old".utf8))
        let after = try FieldCipher(keys: ["k1": Self.first, "k2": Self.second], activeKeyID: "k2")
        #expect(try after.open(sealed) == Data("old".utf8))
        #expect(FieldCipher.keyID(of: try after.seal(Data("new".utf8))) == "k2")
    }

    @Test func tamperingAndUnknownKeysFail() throws {
        let cipher = try FieldCipher(keys: ["k1": Self.first], activeKeyID: "k1")
        var sealed = try cipher.seal(Data("secret".utf8))
        sealed[sealed.count - 1] ^= 0x01
        #expect(throws: FieldCipher.Failure.authenticationFailed) { try cipher.open(sealed) }
        let other = try FieldCipher(keys: ["k9": Self.second], activeKeyID: "k9")
        #expect(throws: FieldCipher.Failure.unknownKey("k1")) { try other.open(try cipher.seal(Data("x".utf8))) }
        #expect(throws: FieldCipher.Failure.malformed) { try cipher.open(Data([1, 2])) }
        #expect(throws: FieldCipher.Failure.unknownKey("nope")) { try FieldCipher(keys: ["k1": Self.first], activeKeyID: "nope") }
    }

    @Test func readsKeysFromSettings() throws {
        let key = Data(repeating: 9, count: 32).base64EncodedString()
        let cipher = try FieldCipher(
            settings: SettingsReader(environment: ["USER_PII_KEYS": "a:\(key), b:\(key)", "USER_PII_KEY_ID": "b"]),
            keysKey: "user.piiKeys",
            activeKey: "user.piiKeyId"
        )
        #expect(cipher.activeKeyID == "b")
        for bad in ["", "a:short", "nocolon", "a:\(Data(repeating: 1, count: 16).base64EncodedString())"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try FieldCipher(settings: SettingsReader(environment: ["USER_PII_KEYS": bad]), keysKey: "user.piiKeys", activeKey: "user.piiKeyId")
            }
        }
    }
}
