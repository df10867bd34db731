import Contracts
import Foundation
import ServiceKit

/// A reservation request checked against its limits, with its lines in lock order.
///
/// Every transaction that changes the stock of several products locks their rows in ascending
/// id order (the byte order Postgres sorts `uuid` by), so two of them can never wait on each
/// other in a cycle.
struct StockReservation: Sendable, Equatable {
    static let lineCount = 1...ReservationRequest.maximumLines
    static let quantity = 1...1_000

    let orderId: UUID
    /// One line per product, in lock order.
    let lines: [ReservationRequest.Line]

    /// The plan of `request`, or a 422 naming every invalid field.
    init(_ request: ReservationRequest) throws {
        var validator = Validator()
        validator.check(Self.lineCount.contains(request.lines.count), "lines", "must have 1 to 50 lines")
        var seen = Set<UUID>()
        for (index, line) in request.lines.enumerated() {
            validator.check(Self.quantity.contains(line.quantity), "lines[\(index)].quantity", "must be an integer from 1 to 1000")
            let isFirst = seen.insert(line.productId).inserted
            validator.check(isFirst, "lines[\(index)].productId", "appears in more than one line; give each product one line")
        }
        try validator.validate()
        self.orderId = request.orderId
        self.lines = request.lines.sorted { Self.locksBefore($0.productId, $1.productId) }
    }

    /// Whether the row of `first` is locked before the row of `second`: byte order, as
    /// Postgres compares `uuid` values.
    static func locksBefore(_ first: UUID, _ second: UUID) -> Bool {
        withUnsafeBytes(of: first.uuid) { left in
            withUnsafeBytes(of: second.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }
}
