import Foundation

/// Random (version 4) UUIDs in their canonical lowercase form.
public enum UUIDv4 {
    /// A new random UUID string, lowercase.
    public static func string() -> String { UUID().uuidString.lowercased() }
}
