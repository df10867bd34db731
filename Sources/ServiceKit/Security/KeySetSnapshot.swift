import Crypto
import Foundation

/// The ES256 public keys of one fetch of auth's JWKS, by key id; immutable, so any number of
/// requests read it at once without locks or actor hops.
public struct KeySetSnapshot: Sendable {
    /// The P-256 keys that verify tokens, by `kid`.
    public let keys: [String: P256.Signing.PublicKey]

    public init(keys: [String: P256.Signing.PublicKey]) {
        self.keys = keys
    }

    /// Reads a JWKS document (`{"keys":[...]}`). Keys that are not P-256 signing keys for
    /// ES256, or have no `kid`, are skipped (RFC 7517 §5: a set may hold keys a reader does not
    /// use); a document that is not a key set throws.
    public init(jwks: String) throws(KeySetUnavailable) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(jwks.utf8))
        } catch {
            throw KeySetUnavailable(reason: "malformed key set")
        }
        var keys: [String: P256.Signing.PublicKey] = [:]
        for key in document.keys {
            guard let kid = key.kid, !kid.isEmpty, key.kty == "EC", key.crv == "P-256",
                key.alg == nil || key.alg == "ES256", key.use == nil || key.use == "sig",
                let x = key.x.flatMap(Base64URL.decode), let y = key.y.flatMap(Base64URL.decode),
                x.count == 32, y.count == 32,
                let publicKey = try? P256.Signing.PublicKey(rawRepresentation: x + y)
            else { continue }
            keys[kid] = publicKey
        }
        self.init(keys: keys)
    }

    private struct Document: Decodable {
        struct Key: Decodable {
            var kid: String?
            var kty: String?
            var crv: String?
            var alg: String?
            var use: String?
            var x: String?
            var y: String?
        }

        var keys: [Key]
    }
}
