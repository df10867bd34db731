import Foundation

/// Where a page of a newest-first list ends: the last row's creation time in integer
/// microseconds since the epoch (a `Date` round trip could lose one) and its id.
struct ListCursor: Codable, Sendable, Equatable {
    var createdAtMicros: Int64
    var id: UUID
}

/// A page of rows read with one extra row to learn whether another page follows.
struct ListSlice<Item: Sendable>: Sendable {
    var items: [Item]
    var next: ListCursor?

    /// Keeps `limit` of `rows` and, when there were more, the position of the last one kept.
    init(_ rows: [(item: Item, position: ListCursor)], limit: Int) {
        self.items = rows.prefix(limit).map(\.item)
        self.next = rows.count > limit ? rows[limit - 1].position : nil
    }
}
