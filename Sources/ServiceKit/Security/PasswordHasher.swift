import Crypto
import CryptoExtras
import Foundation
import NIOPosix

/// scrypt password hashes, computed on NIO's thread pool so the event loops never block.
///
/// Stored form: `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`, so parameters can be
/// raised later without invalidating existing hashes.
public struct PasswordHasher: Sendable {
    /// log2 of the CPU/memory cost N.
    public var costExponent: Int
    public var blockSize: Int
    public var parallelism: Int

    /// N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash.
    public init(costExponent: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        // Clamped to what `verify` accepts, so every hash made here can be verified.
        self.costExponent = min(max(costExponent, Self.costExponents.lowerBound), Self.costExponents.upperBound)
        self.blockSize = min(max(blockSize, 1), 32)
        self.parallelism = min(max(parallelism, 1), 16)
    }

    /// The cost exponents accepted, for hashing and verifying.
    public static let costExponents = 10...20

    /// A well-formed hash with this hasher's parameters that no password matches: verifying
    /// against it when an account does not exist costs as much as a wrong password.
    public var decoyHash: String {
        let salt = Data(repeating: 0, count: 16).base64EncodedString()
        let hash = Data(repeating: 0, count: 32).base64EncodedString()
        return "scrypt$\(self.costExponent)$\(self.blockSize)$\(self.parallelism)$\(salt)$\(hash)"
    }

    /// Hashes a password with a fresh random salt.
    public func hash(_ password: String) async throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let (exponent, blockSize, parallelism) = (self.costExponent, self.blockSize, self.parallelism)
        let derived = try await NIOThreadPool.singleton.runIfActive {
            try Self.derive(password, salt: salt, exponent: exponent, blockSize: blockSize, parallelism: parallelism)
        }
        return "scrypt$\(exponent)$\(blockSize)$\(parallelism)$\(salt.base64EncodedString())$\(derived.base64EncodedString())"
    }

    /// Whether `password` matches a stored hash; a malformed hash never matches.
    public func verify(_ password: String, against stored: String) async throws -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
            let exponent = Int(parts[1]), Self.costExponents.contains(exponent),
            let blockSize = Int(parts[2]), (1...32).contains(blockSize),
            let parallelism = Int(parts[3]), (1...16).contains(parallelism),
            let salt = Data(base64Encoded: String(parts[4])),
            let expected = Data(base64Encoded: String(parts[5]))
        else { return false }
        let derived = try await NIOThreadPool.singleton.runIfActive {
            try Self.derive(password, salt: salt, exponent: exponent, blockSize: blockSize, parallelism: parallelism)
        }
        // Compare in constant time so timing does not reveal how much of the hash matched.
        guard derived.count == expected.count else { return false }
        return zip(derived, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: Data, exponent: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(password.utf8),
            salt: salt,
            outputByteCount: 32,
            rounds: 1 << exponent,
            blockSize: blockSize,
            parallelism: parallelism
        )
        return key.withUnsafeBytes { Data($0) }
    }
}
