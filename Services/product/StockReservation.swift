import Contracts
import Foundation
import InternalAPI
import ServiceKit

/// A reservation request checked against its limits, with its lines in lock order.
///
/// Every transaction that changes the stock of several products locks their rows in ascending
/// id order (the byte order Postgres sorts `uuid` by), so two of them can never wait on each
/// other in a cycle.
struct StockReservation: Sendable, Equatable {
    /// One product and how many of it.
    struct Line: Sendable, Equatable {
        var productId: UUID
        var quantity: Int
    }

    /// The most lines one reservation may have (an order's most lines).
    static let maximumLines = 50
    static let lineCount = 1...maximumLines
    static let quantity = 1...1_000

    let orderId: UUID
    /// One line per product, in lock order.
    let lines: [Line]

    /// The plan of a `Reserve` call; a validation problem (`INVALID_ARGUMENT` to the caller)
    /// naming every invalid field.
    init(_ request: Shop_Inventory_V1_ReserveRequest) throws {
        var validator = Validator()
        let orderId = UUID(uuidString: request.orderID)
        validator.check(orderId != nil, "orderId", "must be a UUID")
        validator.check(request.lines.count <= Self.maximumLines, "lines", "must have 1 to \(Self.maximumLines) lines")
        var lines: [Line] = []
        for (index, line) in request.lines.prefix(Self.maximumLines).enumerated() {
            let productId = UUID(uuidString: line.productID)
            validator.check(productId != nil, "lines[\(index)].productId", "must be a UUID")
            if let productId { lines.append(Line(productId: productId, quantity: Int(line.quantity))) }
        }
        try validator.validate()
        try self.init(orderId: orderId ?? UUID(), lines: lines)
    }

    /// The plan of an order's lines, or a validation problem naming every invalid field.
    init(orderId: UUID, lines: [Line]) throws {
        var validator = Validator()
        validator.check(Self.lineCount.contains(lines.count), "lines", "must have 1 to \(Self.maximumLines) lines")
        var seen = Set<UUID>()
        for (index, line) in lines.enumerated() {
            validator.check(Self.quantity.contains(line.quantity), "lines[\(index)].quantity", "must be an integer from 1 to 1000")
            let isFirst = seen.insert(line.productId).inserted
            validator.check(isFirst, "lines[\(index)].productId", "appears in more than one line; give each product one line")
        }
        try validator.validate()
        self.orderId = orderId
        self.lines = lines.sorted { Self.locksBefore($0.productId, $1.productId) }
    }

    /// Whether the row of `first` is locked before the row of `second`: byte order, as
    /// Postgres compares `uuid` values.
    static func locksBefore(_ first: UUID, _ second: UUID) -> Bool {
        withUnsafeBytes(of: first.uuid) { left in
            withUnsafeBytes(of: second.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }
}
