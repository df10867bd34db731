import Foundation
import Hummingbird
import HummingbirdCore

/// `?limit=` and `?cursor=` of a list endpoint, validated (limit 1...100, default 20).
public struct PageRequest: Sendable {
    public var limit: Int
    public var cursor: String?

    public static let defaultLimit = 20
    public static let maximumLimit = 100

    /// Reads and validates the paging parameters; adds field errors to `validator`.
    public init(uri: URI, validator: inout Validator) {
        let query = uri.formQuery
        self.limit = Self.defaultLimit
        self.cursor = query["cursor"]
        if let raw = query["limit"] {
            if let value = Int(raw), (1...Self.maximumLimit).contains(value) {
                self.limit = value
            } else {
                validator.check(false, "limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
        }
    }
}

/// One page of a list: `{ "items": [...], "nextCursor": "..." | null }`.
public struct Page<Item: Codable & Sendable>: Codable, Sendable, ResponseEncodable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.items, forKey: .items)
        // `nextCursor` is always present, null on the last page.
        try container.encode(self.nextCursor, forKey: .nextCursor)
    }
}

/// Opaque cursors: base64url of a small JSON document, so clients cannot depend on the format.
public enum Cursor {
    /// Encodes a position.
    public static func encode<Position: Encodable>(_ position: Position) -> String? {
        guard let data = try? JSONEncoder().encode(position) else { return nil }
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a position, or `nil` if the cursor is not one of ours.
    public static func decode<Position: Decodable>(_ cursor: String, as type: Position.Type) -> Position? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(Position.self, from: data)
    }
}
