import Foundation
import GRPCCore
import GRPCProtobuf
import InternalAPI
import PostgresNIO
import Testing

extension ShopStackSuite {
    /// Money and quantities have bounds, checked at the edge with 422 naming the field: a price or
    /// payment of at most 10^12 minor units, 1 to 1,000 units a line, an order total of at most
    /// 10^12. No input, and no price stored before the bounds existed, takes a process down.
    @Suite("Money and quantity bounds")
    struct MoneyBoundsTests {
        private static let limit = 1_000_000_000_000

        /// `POST /v1/products` with `price` written as is (any JSON number text).
        private func create(_ stack: Stack, _ admin: Session, price: String, available: Int = 10) async throws -> HTTPResult {
            let sku = "B-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
            let body = """
                {"sku":"\(sku)","name":"Bounded \(sku)","category":"integration-tests","available":\(available),
                 "price":{"amount":\(price),"currency":"USD"}}
                """
            return try await stack.http.send(.POST, stack.url("/v1/products"), json: body, headers: [bearer(admin.accessToken)])
        }

        private func customer(_ stack: Stack) async throws -> (session: Session, methodId: String) {
            let session = try await Session.register(stack)
            return (session, try await PaymentMethods.add(stack, session, card: .approves))
        }

        /// The order process is the one that was running before: it did not die (and was not restarted).
        private func expectAlive(_ stack: Stack, pid: Int32?, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let order = try stack.process("order")
            #expect(order.isRunning, "the order process is running", sourceLocation: sourceLocation)
            #expect(
                order.pid == pid,
                "the order process is the same one (pid \(pid.map(String.init) ?? "nil") → \(order.pid.map(String.init) ?? "nil"))",
                sourceLocation: sourceLocation
            )
            #expect(!order.logTail(lines: 200).contains("Fatal error"), "no trap in the order log", sourceLocation: sourceLocation)
        }

        @Test("A price of 10^12 minor units is accepted; 10^12 + 1 and 9 × 10^18 are 422 naming price.amount, on create and update")
        func priceBounds() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)

            let atLimit = try await create(stack, admin, price: String(Self.limit))
            #expect(atLimit.status == 201, "\(atLimit.text.prefix(500))")
            let product = try decodeBody(CatalogProduct.self, atLimit, what: "POST /v1/products")
            #expect(product.price.amount == Self.limit)

            for price in ["1000000000001", "9000000000000000000", "9223372036854775807", "90000000000000000000", "19.99", "-1"] {
                let refused = try await create(stack, admin, price: price)
                expectValidationProblem(refused, path: "/v1/products", fields: ["price.amount"])
                let path = "/v1/products/\(product.id)"
                let patch = try await stack.http.send(
                    .PATCH,
                    stack.url(path),
                    json: #"{"price":{"amount":\#(price),"currency":"USD"}}"#,
                    headers: [bearer(admin.accessToken)]
                )
                expectValidationProblem(patch, path: path, fields: ["price.amount"])
            }
            #expect(try await Catalog.product(stack, product.id).price.amount == Self.limit, "refused updates changed nothing")
        }

        @Test("An order total of 10^12 is accepted; one that would pass it is 422 naming items, and the order process lives on")
        func orderTotalBound() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let pid = try stack.process("order").pid
            let expensive = try await Catalog.createProduct(stack, admin: admin, available: 10, price: Self.limit)
            let cheap = try await Catalog.createProduct(stack, admin: admin, available: 10, price: 1)
            let (session, methodId) = try await customer(stack)

            let atLimit = try await Orders.place(stack, session, items: [OrderItem(productId: expensive.id, quantity: 1)], methodId: methodId)
            #expect(atLimit.total == Money(amount: Self.limit, currency: "USD"))

            for items in [
                [OrderItem(productId: expensive.id, quantity: 2)],
                [OrderItem(productId: expensive.id, quantity: 1), OrderItem(productId: cheap.id, quantity: 1)],
                [OrderItem(productId: expensive.id, quantity: 1_000)],
            ] {
                let refused = try await Orders.submit(stack, session, body: Orders.body(items: items, methodId: methodId))
                expectValidationProblem(refused, path: "/v1/orders", fields: ["items"])
            }
            try expectAlive(stack, pid: pid)
            let after = try await Orders.place(stack, session, items: [OrderItem(productId: cheap.id, quantity: 3)], methodId: methodId)
            #expect(after.total == Money(amount: 3, currency: "USD"))
        }

        @Test("The issue's order: 100 of a price stored as 9 × 10^18 before prices were bounded is 422, and the order process lives on")
        func legacyPriceCannotTrap() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let pid = try stack.process("order").pid
            let product = try await Catalog.createProduct(stack, admin: admin, available: 500, price: 100)
            let id = try #require(UUID(uuidString: product.id))
            // What an admin could store before the bound: written straight into product's database.
            let updated = try await ServiceDatabase.withClient("product") { client in
                let rows = try await client.query(
                    "UPDATE products SET price_amount = 9000000000000000000 WHERE id = \(id) RETURNING id",
                    logger: ServiceDatabase.logger
                )
                var count = 0
                for try await _ in rows.decode(UUID.self) { count += 1 }
                return count
            }
            #expect(updated == 1)
            #expect(try await Catalog.product(stack, product.id).price.amount == 9_000_000_000_000_000_000)
            let (session, methodId) = try await customer(stack)

            for quantity in [100, 1] {
                let refused = try await Orders.submit(
                    stack,
                    session,
                    body: Orders.body(items: [OrderItem(productId: product.id, quantity: quantity)], methodId: methodId)
                )
                expectValidationProblem(refused, path: "/v1/orders", fields: ["items[0].productId"])
            }
            try expectAlive(stack, pid: pid)
            let cheap = try await Catalog.createProduct(stack, admin: admin, available: 5, price: 250)
            _ = try await Orders.place(stack, session, items: [OrderItem(productId: cheap.id, quantity: 1)], methodId: methodId)
            // Out of the listing again, so no other test meets the price.
            #expect(try await Catalog.archive(stack, admin: admin, product.id).status == 204)
        }

        @Test("A line of 1,000 units is accepted; 1,001, 0, a fraction or a number beyond 64 bits is 422 naming items[0].quantity")
        func quantityBounds() async throws {
            let stack = try Stack.require()
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 1_000, price: 1)
            let (session, methodId) = try await customer(stack)

            let full = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1_000)], methodId: methodId)
            #expect(full.items.first?.quantity == 1_000)

            let address = try canonicalJSON(Orders.shippingAddress)
            for quantity in ["1001", "0", "-1", "1.5", "1e30", "99999999999999999999"] {
                let body = """
                    {"items":[{"productId":"\(product.id)","quantity":\(quantity)}],"paymentMethodId":"\(methodId)","shippingAddress":\(address)}
                    """
                let refused = try await stack.http.send(.POST, stack.url("/v1/orders"), json: body, headers: [bearer(session.accessToken)])
                expectValidationProblem(refused, path: "/v1/orders", fields: ["items[0].quantity"])
            }
            let lines = (0..<51).map { _ in OrderItem(productId: UUID().uuidString, quantity: 1) }
            let tooMany = try await Orders.submit(stack, session, body: Orders.body(items: lines, methodId: methodId))
            expectValidationProblem(tooMany, path: "/v1/orders", fields: ["items"])
        }

        @Test("Payment authorizes 1 to 10^12 minor units; 0, 10^12 + 1 or a negative amount is INVALID_ARGUMENT naming amount.amount")
        func paymentAmountBounds() async throws {
            let stack = try Stack.require()
            let token = try await ServiceToken.obtain(stack, as: "order", for: "payment")
            func authorize(_ amount: Int64) async throws -> Shop_Payment_V1_AuthorizeResponse {
                let order = UUID().uuidString
                let request = Shop_Payment_V1_AuthorizeRequest.with {
                    $0.orderID = order
                    $0.userID = UUID().uuidString
                    $0.paymentMethodID = UUID().uuidString
                    $0.amount = .with {
                        $0.amountMinor = amount
                        $0.currency = "USD"
                    }
                }
                return try await InternalRPC.withClient(stack, "payment") { client in
                    try await Shop_Payment_V1_Payments.Client(wrapping: client).authorize(
                        request,
                        metadata: InternalRPC.metadata(token: token, idempotencyKey: "\(order)-authorize")
                    )
                }
            }
            // An unknown card is declined: the amount itself passed.
            let atLimit = try await authorize(Int64(Self.limit))
            // A declined payment cannot be captured: a domain answer with its reason.
            let capture = await #expect(throws: RPCError.self) {
                try await InternalRPC.withClient(stack, "payment") { client in
                    try await Shop_Payment_V1_Payments.Client(wrapping: client).capture(
                        .with { $0.orderID = atLimit.payment.orderID },
                        metadata: InternalRPC.metadata(token: token, idempotencyKey: "\(atLimit.payment.orderID)-capture")
                    )
                }
            }
            #expect(capture?.code == .failedPrecondition)
            let reason = try capture?.unpackGoogleRPCStatus()?.details.compactMap(\.errorInfo).first?.reason
            #expect(reason == "PAYMENT_NOT_CAPTURABLE", "\(String(describing: capture))")
            #expect(atLimit.payment.status == .declined && atLimit.payment.amount.amountMinor == Int64(Self.limit), "\(atLimit)")
            for amount: Int64 in [0, -1, 1_000_000_000_001, 9_000_000_000_000_000_000, .min] {
                let refused = await #expect(throws: RPCError.self, "\(amount)") { try await authorize(amount) }
                #expect(
                    refused?.code == .invalidArgument && refused?.message.contains("amount.amount") == true,
                    "\(amount): \(String(describing: refused))"
                )
            }
        }
    }
}
