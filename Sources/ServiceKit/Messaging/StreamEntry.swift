/// One entry of a Redis stream: its id and its field/value pairs.
public struct StreamEntry: Sendable, Equatable {
    public var stream: String
    public var id: String
    public var fields: [String: String]

    public init(stream: String, id: String, fields: [String: String]) {
        self.stream = stream
        self.id = id
        self.fields = fields
    }

    /// Parses `[id, [field, value, ...]]`; `nil` for a deleted entry (`[id, nil]`) or garbage.
    init?(stream: String, reply: RESPValue) {
        guard let parts = reply.array, parts.count == 2, let id = parts[0].string, let flat = parts[1].array else { return nil }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < flat.count {
            if let name = flat[index].string, let value = flat[index + 1].string { fields[name] = value }
            index += 2
        }
        self.init(stream: stream, id: id, fields: fields)
    }

    /// Entries of an `XREADGROUP` reply: `[[stream, [[id, fields], ...]], ...]`.
    static func parseRead(_ reply: RESPValue) -> [StreamEntry] {
        guard let streams = reply.array else { return [] }
        var entries: [StreamEntry] = []
        for item in streams {
            guard let pair = item.array, pair.count == 2, let name = pair[0].string, let list = pair[1].array else { continue }
            entries += list.compactMap { StreamEntry(stream: name, reply: $0) }
        }
        return entries
    }
}
