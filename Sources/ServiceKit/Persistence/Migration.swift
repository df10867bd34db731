import Crypto
import Foundation

/// One versioned schema change. Statements run in order, in the same transaction as the rest
/// of the pending migrations; once applied, a migration must never change (its checksum is
/// recorded and checked at every start).
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// SHA-256 of the statements, hex.
    public var checksum: String {
        let digest = SHA256.hash(data: Data(self.statements.joined(separator: "\n;\n").utf8))
        return digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}

/// Why migrations refused to run.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An applied migration's statements differ from what this build carries.
    case checksumMismatch(version: Int, name: String)
    /// The database has a migration this build does not know (it is older than the schema).
    case unknownApplied(version: Int)
    /// Versions must be unique and increasing.
    case invalidSequence(String)

    public var description: String {
        switch self {
        case .checksumMismatch(let version, let name):
            "migration \(version) (\(name)) was changed after it was applied; restore it and add a new migration instead"
        case .unknownApplied(let version):
            "the database has migration \(version), which this build does not know; deploy a newer build"
        case .invalidSequence(let reason):
            "invalid migration list: \(reason)"
        }
    }
}
