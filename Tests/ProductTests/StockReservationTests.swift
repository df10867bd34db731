import Contracts
import Foundation
import InternalAPI
import ServiceKit
import Testing

@testable import ProductService

struct StockReservationTests {
    private func id(_ last: UInt8, first: UInt8 = 0) -> UUID {
        UUID(uuid: (first, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, last))
    }

    private func request(_ lines: [(UUID, Int)]) -> Shop_Inventory_V1_ReserveRequest {
        .with { request in
            request.orderID = self.id(99).uuidString
            request.lines = lines.map { line in
                .with {
                    $0.productID = line.0.uuidString
                    $0.quantity = Int32(line.1)
                }
            }
        }
    }

    private func invalidFields(_ request: Shop_Inventory_V1_ReserveRequest) -> [String] {
        do {
            _ = try StockReservation(request)
            return []
        } catch let error as ProblemError {
            #expect(error.status == .unprocessableContent)
            return error.fieldErrors.map(\.field)
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func linesAreSortedInLockOrder() throws {
        let plan = try StockReservation(self.request([(self.id(3), 1), (self.id(1, first: 0xFF), 2), (self.id(2), 3)]))
        #expect(plan.orderId == self.id(99))
        #expect(plan.lines.map(\.productId) == [self.id(2), self.id(3), self.id(1, first: 0xFF)])
        #expect(plan.lines.map(\.quantity) == [3, 1, 2])
    }

    @Test func lockOrderIsByteOrderLikePostgres() throws {
        // Postgres orders uuid values by their bytes, which is the order of their lower-case text.
        let ids = (0..<200).map { _ in UUID() }
        let byBytes = ids.sorted(by: StockReservation.locksBefore)
        let byText = ids.sorted { $0.uuidString.lowercased() < $1.uuidString.lowercased() }
        #expect(byBytes == byText)
        #expect(!StockReservation.locksBefore(self.id(1), self.id(1)))
    }

    @Test func noLinesIsInvalid() {
        #expect(self.invalidFields(self.request([])) == ["lines"])
    }

    @Test func fiftyLinesAreAllowedButNotFiftyOne() {
        let fifty = (1...50).map { (self.id(UInt8($0)), 1) }
        #expect(self.invalidFields(self.request(fifty)) == [])
        let fiftyOne = (1...51).map { (self.id(UInt8($0)), 1) }
        #expect(self.invalidFields(self.request(fiftyOne)) == ["lines"])
    }

    @Test(arguments: [0, -1, 1_001])
    func quantityOutOfRange(_ quantity: Int) {
        #expect(self.invalidFields(self.request([(self.id(1), 1), (self.id(2), quantity)])) == ["lines[1].quantity"])
    }

    @Test(arguments: [1, 1_000])
    func quantityAtTheLimits(_ quantity: Int) {
        #expect(self.invalidFields(self.request([(self.id(1), quantity)])) == [])
    }

    @Test func duplicateProductsAreInvalid() {
        let fields = self.invalidFields(self.request([(self.id(1), 1), (self.id(2), 1), (self.id(1), 3)]))
        #expect(fields == ["lines[2].productId"])
    }

    @Test func idsThatAreNotUUIDsAreFieldErrors() {
        var request = self.request([(self.id(1), 1), (self.id(2), 1)])
        request.orderID = "order-1"
        request.lines[1].productID = "../../etc"
        #expect(self.invalidFields(request) == ["orderId", "lines[1].productId"])
    }
}
