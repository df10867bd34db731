import Crypto
import Foundation

/// AES-GCM encryption of single fields at rest, with the key id stored in the ciphertext so
/// keys can be rotated: new data is sealed with the active key, old data opens with its own.
///
/// Sealed form: `0x01 | kid length (1 byte) | kid (UTF-8) | nonce (12) | ciphertext | tag (16)`.
public struct FieldCipher: Sendable {
    public let activeKeyID: String
    let keys: [String: SymmetricKey]

    public enum Failure: Error, Sendable, Equatable {
        case malformed
        case unknownKey(String)
        case authenticationFailed
    }

    public init(keys: [String: SymmetricKey], activeKeyID: String) throws {
        guard keys[activeKeyID] != nil else { throw Failure.unknownKey(activeKeyID) }
        self.keys = keys
        self.activeKeyID = activeKeyID
    }

    /// Reads `<prefix>_KEYS` (`kid:base64-32-bytes,...`) and `<prefix>_KEY_ID` (the active one;
    /// default the first listed).
    public init(settings: SettingsReader, keysKey: String, activeKey: String) throws {
        let name = SettingsReader.variableName(keysKey)
        let text = try settings.requiredString(keysKey, hint: "kid:base64 of 32 random bytes, comma-separated", secret: true)
        var keys: [String: SymmetricKey] = [:]
        var order: [String] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let bytes = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)), bytes.count == 32,
                !parts[0].isEmpty, parts[0].utf8.count < 64
            else { throw ConfigurationError(setting: name, problem: "must be kid:base64 of 32 bytes, comma-separated") }
            let kid = String(parts[0]).trimmingCharacters(in: .whitespaces)
            keys[kid] = SymmetricKey(data: bytes)
            order.append(kid)
        }
        let active = settings.raw(activeKey) ?? order.first ?? ""
        guard keys[active] != nil else {
            throw ConfigurationError(setting: SettingsReader.variableName(activeKey), problem: "must name one of the keys in \(name)")
        }
        try self.init(keys: keys, activeKeyID: active)
    }

    /// Encrypts with the active key.
    public func seal(_ plaintext: Data) throws -> Data {
        guard let key = self.keys[self.activeKeyID] else { throw Failure.unknownKey(self.activeKeyID) }
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else { throw Failure.malformed }
        let kid = Data(self.activeKeyID.utf8)
        return Data([1, UInt8(kid.count)]) + kid + combined
    }

    /// Decrypts with the key named in the data.
    public func open(_ sealed: Data) throws -> Data {
        let bytes = [UInt8](sealed)
        guard bytes.count > 2, bytes[0] == 1 else { throw Failure.malformed }
        let kidLength = Int(bytes[1])
        guard bytes.count > 2 + kidLength + 28 else { throw Failure.malformed }
        let kid = String(decoding: bytes[2..<(2 + kidLength)], as: UTF8.self)
        guard let key = self.keys[kid] else { throw Failure.unknownKey(kid) }
        do {
            let box = try AES.GCM.SealedBox(combined: Data(bytes[(2 + kidLength)...]))
            return try AES.GCM.open(box, using: key)
        } catch {
            throw Failure.authenticationFailed
        }
    }

    /// The key id a sealed value was made with.
    public static func keyID(of sealed: Data) -> String? {
        let bytes = [UInt8](sealed)
        guard bytes.count > 2, bytes[0] == 1, bytes.count > 2 + Int(bytes[1]) else { return nil }
        return String(decoding: bytes[2..<(2 + Int(bytes[1]))], as: UTF8.self)
    }
}
