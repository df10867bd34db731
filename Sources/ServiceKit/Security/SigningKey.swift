import Crypto
import Foundation

/// A P-256 key that signs access tokens (ES256), with its key id and its public JWK.
public struct SigningKey: Sendable {
    /// The key id (`kid`) that tokens signed with this key carry.
    public let kid: String
    public let privateKey: P256.Signing.PrivateKey

    /// Wraps a key; without a `kid`, the key's RFC 7638 thumbprint is its id.
    public init(privateKey: P256.Signing.PrivateKey, kid: String? = nil) {
        self.privateKey = privateKey
        self.kid = kid ?? Self.thumbprint(of: privateKey.publicKey)
    }

    /// Reads a PEM private key (PKCS #8 `PRIVATE KEY` or SEC 1 `EC PRIVATE KEY`).
    public init(pem: String, kid: String? = nil) throws {
        self.init(privateKey: try P256.Signing.PrivateKey(pemRepresentation: pem), kid: kid)
    }

    /// A fresh random key.
    public static func generate() -> SigningKey {
        SigningKey(privateKey: P256.Signing.PrivateKey())
    }

    /// The private key as PKCS #8 PEM, for storage.
    public var privateKeyPEM: String { self.privateKey.pemRepresentation }

    /// The public half as a JWK object (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`), JSON text.
    public var publicJWK: String {
        let (x, y) = Self.coordinates(of: self.privateKey.publicKey)
        return #"{"alg":"ES256","crv":"P-256","kid":"\#(self.kid)","kty":"EC","use":"sig","x":"\#(x)","y":"\#(y)"}"#
    }

    /// RFC 7638 thumbprint: base64url of SHA-256 over the required members in lexical order.
    public static func thumbprint(of key: P256.Signing.PublicKey) -> String {
        let (x, y) = Self.coordinates(of: key)
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }

    private static func coordinates(of key: P256.Signing.PublicKey) -> (x: String, y: String) {
        // x963: 0x04 || x (32 bytes) || y (32 bytes)
        let raw = key.x963Representation
        let start = raw.startIndex
        return (
            Base64URL.encode(raw[(start + 1)..<(start + 33)]),
            Base64URL.encode(raw[(start + 33)..<(start + 65)])
        )
    }
}

/// Unpadded base64url (RFC 4648 §5), as JOSE uses it.
public enum Base64URL {
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes, or `nil` when the text is not base64url.
    public static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
