import Foundation
import GRPCCore
import InternalAPI
import Testing

/// A product's stock as the admin sees it: on hand, held for pending orders, and what is left to sell.
private struct Stock: Decodable, Equatable, CustomStringConvertible {
    let available: Int
    let onHand: Int
    let held: Int

    var description: String { "available \(available), on hand \(onHand), held \(held)" }
}

extension ShopStackSuite {
    /// `PUT /v1/products/{id}/inventory` is a stock count: it sets the units on hand and leaves
    /// the units held by open reservations held, so releasing or committing them afterwards
    /// neither invents nor loses a unit.
    @Suite("Inventory counts with holds open")
    struct InventoryCountTests {
        private func stock(_ stack: Stack, _ id: String) async throws -> Stock {
            let response = try await stack.http.send(.GET, stack.url("/v1/products/\(id)"))
            return try decodeBody(Stock.self, response, what: "GET /v1/products/\(id)")
        }

        private func count(_ stack: Stack, _ admin: Session, _ id: String, _ body: String) async throws -> HTTPResult {
            try await stack.http.send(.PUT, stack.url("/v1/products/\(id)/inventory"), json: body, headers: [bearer(admin.accessToken)])
        }

        /// A reservation call on product, as order's saga makes it (service token, idempotency
        /// key); the reservation's status as product answers it.
        private func reservation(
            _ stack: Stack,
            _ token: String,
            _ call:
                @escaping @Sendable (Shop_Inventory_V1_Reservations.Client<InternalRPC.Transport>, Metadata) async throws
                -> Shop_Inventory_V1_Reservation
        ) async throws -> Shop_Inventory_V1_ReservationStatus {
            try await InternalRPC.withClient(stack, "product") { client in
                try await call(Shop_Inventory_V1_Reservations.Client(wrapping: client), InternalRPC.metadata(token: token)).status
            }
        }

        private func reserve(
            _ stack: Stack,
            _ token: String,
            order: String,
            product: String,
            quantity: Int,
            key: String? = nil
        ) async throws
            -> Shop_Inventory_V1_ReservationStatus
        {
            let request = Shop_Inventory_V1_ReserveRequest.with {
                $0.orderID = order
                $0.lines = [
                    .with { line in
                        line.productID = product
                        line.quantity = Int32(quantity)
                    }
                ]
            }
            return try await InternalRPC.withClient(stack, "product") { client in
                try await Shop_Inventory_V1_Reservations.Client(wrapping: client).reserve(
                    request,
                    metadata: InternalRPC.metadata(token: token, idempotencyKey: key ?? "\(order)-reserve")
                ).status
            }
        }

        private func release(_ stack: Stack, _ token: String, order: String) async throws -> Shop_Inventory_V1_ReservationStatus {
            try await self.reservation(stack, token) { try await $0.release(.with { $0.orderID = order }, metadata: $1) }
        }

        private func commit(_ stack: Stack, _ token: String, order: String) async throws -> Shop_Inventory_V1_ReservationStatus {
            try await self.reservation(stack, token) { try await $0.commit(.with { $0.orderID = order }, metadata: $1) }
        }

        @Test("A Reserve and a Release made again with their idempotency keys (a retry) take effect once")
        func aRetriedReservationTakesEffectOnce() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let token = try await ServiceToken.obtain(stack, as: "order", for: "product")
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10)
            let order = UUID().uuidString

            #expect(try await reserve(stack, token, order: order, product: product.id, quantity: 4) == .reserved)
            // The saga's retry after a lost answer: the same order, the same key.
            #expect(try await reserve(stack, token, order: order, product: product.id, quantity: 4) == .reserved)
            #expect(try await stock(stack, product.id) == Stock(available: 6, onHand: 10, held: 4))
            #expect(try await release(stack, token, order: order) == .released)
            #expect(try await release(stack, token, order: order) == .released)
            #expect(try await stock(stack, product.id) == Stock(available: 10, onHand: 10, held: 0))
        }

        @Test("Reserve 4 of 10, count 15 on the shelf, release the hold: 15 available, not 19")
        func aCountThenAReleaseInventsNothing() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let token = try await ServiceToken.obtain(stack, as: "order", for: "product")
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10)
            let order = UUID().uuidString

            #expect(try await reserve(stack, token, order: order, product: product.id, quantity: 4) == .reserved)
            #expect(try await stock(stack, product.id) == Stock(available: 6, onHand: 10, held: 4))

            // API.md's form: `available` is the count of units in stock, the 4 held ones included.
            let counted = try await count(stack, admin, product.id, #"{"available":15}"#)
            #expect(counted.status == 200, "\(counted.text.prefix(300))")
            #expect(try decodeBody(Stock.self, counted, what: "PUT inventory") == Stock(available: 11, onHand: 15, held: 4))

            #expect(try await release(stack, token, order: order) == .released)
            #expect(try await stock(stack, product.id) == Stock(available: 15, onHand: 15, held: 0), "the hold's 4 units were already on the shelf")
        }

        @Test("Reserve, count, commit: the sold units leave the shelf; a refund puts them back")
        func aCountThenACommitLosesNothing() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let token = try await ServiceToken.obtain(stack, as: "order", for: "product")
            let product = try await Catalog.createProduct(stack, admin: admin, available: 10)
            let order = UUID().uuidString

            #expect(try await reserve(stack, token, order: order, product: product.id, quantity: 3) == .reserved)
            let counted = try await count(stack, admin, product.id, #"{"onHand":12}"#)
            #expect(try decodeBody(Stock.self, counted, what: "PUT inventory") == Stock(available: 9, onHand: 12, held: 3))

            #expect(try await commit(stack, token, order: order) == .committed)
            #expect(try await stock(stack, product.id) == Stock(available: 9, onHand: 9, held: 0))

            #expect(try await release(stack, token, order: order) == .released)
            #expect(try await stock(stack, product.id) == Stock(available: 12, onHand: 12, held: 0))
        }

        @Test("A count below the held units is 409 and changes nothing; both forms at once, or neither, is 422")
        func aCountBelowTheHoldsIsRefused() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let token = try await ServiceToken.obtain(stack, as: "order", for: "product")
            let product = try await Catalog.createProduct(stack, admin: admin, available: 8)
            #expect(try await reserve(stack, token, order: UUID().uuidString, product: product.id, quantity: 5) == .reserved)
            let path = "/v1/products/\(product.id)/inventory"

            expectProblem(try await count(stack, admin, product.id, #"{"onHand":4}"#), status: 409, path: path)
            #expect(try await stock(stack, product.id) == Stock(available: 3, onHand: 8, held: 5))
            let exactly = try await count(stack, admin, product.id, #"{"onHand":5}"#)
            #expect(try decodeBody(Stock.self, exactly, what: "PUT inventory") == Stock(available: 0, onHand: 5, held: 5))

            expectValidationProblem(try await count(stack, admin, product.id, #"{"onHand":5,"available":5}"#), path: path, fields: ["onHand"])
            expectValidationProblem(try await count(stack, admin, product.id, "{}"), path: path, fields: ["onHand"])
            expectValidationProblem(try await count(stack, admin, product.id, #"{"onHand":1000001}"#), path: path, fields: ["onHand"])
            expectValidationProblem(try await count(stack, admin, product.id, #"{"available":2.5}"#), path: path, fields: ["available"])
        }
    }
}
