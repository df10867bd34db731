import Foundation
import HummingbirdCore

/// The parameters of a query string, decoded as HTML forms and `curl --data-urlencode` encode
/// them (`application/x-www-form-urlencoded`): `+` is a space and `%XX` an octet of UTF-8, in
/// names and values alike, so `?q=blue+shirt` and `?q=blue%20shirt` both mean "blue shirt" and
/// `%2B` is a plus sign.
///
/// Hummingbird's `URI.queryParameters` percent-decodes values only and keeps `+`; every route
/// reads its query through this type instead (`URI.formQuery`).
public struct QueryParameters: Sendable {
    /// Every `name=value` pair in order; a pair without `=` has an empty value.
    public let pairs: [(name: String, value: String)]

    /// Parses a raw query string (the part after `?`, still encoded).
    public init(query: some StringProtocol) {
        self.pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let separator = pair.firstIndex(of: "=") else { return (Self.decode(pair), "") }
            return (Self.decode(pair[..<separator]), Self.decode(pair[pair.index(after: separator)...]))
        }
    }

    /// The first value of `name`, if the query has it.
    public subscript(_ name: String) -> String? {
        self.pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(of name: String) -> [String] {
        self.pairs.filter { $0.name == name }.map(\.value)
    }

    /// One name or value: `+` becomes a space, then `%XX` sequences are decoded. Text whose
    /// escapes are not valid UTF-8 is kept as it was sent (with `+` still a space).
    public static func decode(_ text: some StringProtocol) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension URI {
    /// The query string decoded as a form (`+` is a space); see ``QueryParameters``.
    public var formQuery: QueryParameters { QueryParameters(query: self.query ?? "") }
}
