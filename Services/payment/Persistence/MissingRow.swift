/// A statement that always returns a row returned none: a bug or a broken database, never
/// the caller's fault (so a 500).
struct MissingRow: Error, CustomStringConvertible {
    var expected: String
    var description: String { "the database returned no row for \(self.expected)" }
}
