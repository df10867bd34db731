import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Wire types

/// An amount in minor units with its ISO 4217 currency, as the API spells money.
struct Money: Codable, Sendable, Equatable, CustomStringConvertible {
    let amount: Int
    let currency: String

    var description: String { "\(amount) \(currency)" }
}

/// A product as `GET /v1/products/{id}` shows it.
struct CatalogProduct: Decodable, Sendable {
    let id: String
    let sku: String
    let name: String
    let description: String
    let category: String
    let price: Money
    let available: Int
}

/// One line of an order request.
struct OrderItem: Sendable {
    let productId: String
    let quantity: Int

    var json: [String: Any] { ["productId": productId, "quantity": quantity] }
}

/// One line of an order as the order service prices it.
struct OrderLine: Decodable, Sendable {
    let productId: String
    let name: String
    let quantity: Int
    let unitPrice: Money
}

/// One `history` entry of an order.
struct OrderHistoryEntry: Decodable, Sendable {
    let type: String
    let at: String
}

/// An order as `GET /v1/orders/{id}` shows it.
struct ShopOrder: Decodable, Sendable {
    let id: String
    let userId: String
    let status: String
    let items: [OrderLine]
    let total: Money
    let cancellationReason: String?
    let createdAt: String
    let updatedAt: String
    let history: [OrderHistoryEntry]

    var isFinal: Bool { Orders.finalStatuses.contains(status) }

    var historyTypes: [String] { history.map(\.type) }

    /// `status` and, when cancelled, the reason: `confirmed`, `cancelled/out_of_stock`, ...
    var outcome: String {
        guard status == "cancelled" else { return status }
        return "cancelled/\(cancellationReason ?? "nil")"
    }
}

/// One payment of `GET /v1/payments?orderId=`.
struct OrderPayment: Decodable, Sendable {
    let id: String
    let orderId: String
    let amount: Money
    let status: String
}

/// The card numbers the payment simulator knows (API.md, Payments).
enum TestCard: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case approves = "4242424242424242"
    case declined = "4000000000000002"
    case insufficientFunds = "4000000000009995"
    case failsTransiently = "4000000000000119"

    var testDescription: String { "\(self) (\(rawValue))" }
}

// MARK: Catalog

/// Products, created fresh for each test through the admin API.
enum Catalog {
    /// `POST /v1/products` as the admin with a unique sku `T-<uuid prefix>`; throws unless 201.
    static func createProduct(
        _ stack: Stack,
        admin: Session,
        available: Int,
        price: Int = 1250,
        currency: String = "USD"
    ) async throws -> CatalogProduct {
        let sku = "T-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
        let body: [String: Any] = [
            "sku": sku,
            "name": "Test item \(sku)",
            "description": "Created by the checkout integration tests",
            "category": "integration-tests",
            "price": ["amount": price, "currency": currency],
            "available": available,
        ]
        let response = try await stack.http.send(
            .POST,
            stack.url("/v1/products"),
            json: try canonicalJSON(body),
            headers: [bearer(admin.accessToken)]
        )
        guard response.status == 201 else {
            throw HarnessError("POST /v1/products (\(sku)): expected 201, got \(response.status): \(response.text.prefix(500))")
        }
        return try decodeBody(CatalogProduct.self, response, what: "POST /v1/products (\(sku))")
    }

    /// `GET /v1/products/{id}`; throws unless 200.
    static func product(_ stack: Stack, _ id: String) async throws -> CatalogProduct {
        let response = try await stack.http.send(.GET, stack.url("/v1/products/\(id)"))
        guard response.status == 200 else {
            throw HarnessError("GET /v1/products/\(id): expected 200, got \(response.status): \(response.text.prefix(500))")
        }
        return try decodeBody(CatalogProduct.self, response, what: "GET /v1/products/\(id)")
    }

    /// The product's `available` now.
    static func available(_ stack: Stack, _ id: String) async throws -> Int {
        try await product(stack, id).available
    }

    /// `DELETE /v1/products/{id}` as the admin, whatever it answers.
    static func archive(_ stack: Stack, admin: Session, _ id: String) async throws -> HTTPResult {
        try await stack.http.send(.DELETE, stack.url("/v1/products/\(id)"), headers: [bearer(admin.accessToken)])
    }
}

// MARK: Payment methods

enum PaymentMethods {
    /// `POST /v1/payments/methods` with a test card expiring 12/2030; the method's id. Throws unless 201.
    static func add(_ stack: Stack, _ session: Session, card: TestCard) async throws -> String {
        let body: [String: Any] = [
            "cardNumber": card.rawValue,
            "expMonth": 12,
            "expYear": 2030,
            "cvc": "123",
            "holderName": session.name,
        ]
        let response = try await stack.http.send(
            .POST,
            stack.url("/v1/payments/methods"),
            json: try canonicalJSON(body),
            headers: [bearer(session.accessToken)]
        )
        guard response.status == 201, let id = (try? response.jsonObject())?["id"] as? String, !id.isEmpty else {
            throw HarnessError("POST /v1/payments/methods (\(card)): expected 201 with an id, got \(response.status): \(response.text.prefix(500))")
        }
        return id
    }
}

// MARK: Orders

enum Orders {
    static let finalStatuses: Set<String> = ["confirmed", "cancelled"]

    /// A valid shipping address.
    static var shippingAddress: [String: Any] {
        [
            "label": "Home",
            "line1": "221B Baker Street",
            "line2": "Second floor",
            "city": "London",
            "postalCode": "NW1 6XE",
            "country": "GB",
        ]
    }

    /// The body of `POST /v1/orders`.
    static func body(items: [OrderItem], methodId: String) -> [String: Any] {
        ["items": items.map(\.json), "paymentMethodId": methodId, "shippingAddress": shippingAddress]
    }

    /// `POST /v1/orders` with `body` (canonical JSON, so the same body is the same bytes), whatever it answers.
    static func submit(
        _ stack: Stack,
        _ session: Session,
        body: [String: Any],
        idempotencyKey: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws -> HTTPResult {
        var headers = [bearer(session.accessToken)] + extra
        if let idempotencyKey {
            headers.append(("Idempotency-Key", idempotencyKey))
        }
        return try await stack.http.send(.POST, stack.url("/v1/orders"), json: try canonicalJSON(body), headers: headers)
    }

    /// Places an order; throws unless 202 with an order.
    static func place(
        _ stack: Stack,
        _ session: Session,
        items: [OrderItem],
        methodId: String,
        idempotencyKey: String? = nil
    ) async throws -> ShopOrder {
        let response = try await submit(stack, session, body: body(items: items, methodId: methodId), idempotencyKey: idempotencyKey)
        guard response.status == 202 else {
            throw HarnessError("POST /v1/orders: expected 202, got \(response.status): \(response.text.prefix(500))")
        }
        return try decodeBody(ShopOrder.self, response, what: "POST /v1/orders")
    }

    /// `GET /v1/orders/{id}` as `session`, whatever it answers.
    static func get(_ stack: Stack, _ session: Session, _ id: String) async throws -> HTTPResult {
        try await stack.http.send(.GET, stack.url("/v1/orders/\(id)"), headers: [bearer(session.accessToken)])
    }

    /// `POST /v1/orders/{id}/cancel` as `session`, whatever it answers.
    static func cancel(_ stack: Stack, _ session: Session, _ id: String) async throws -> HTTPResult {
        try await stack.http.send(.POST, stack.url("/v1/orders/\(id)/cancel"), headers: [bearer(session.accessToken)])
    }

    /// Polls `GET /v1/orders/{id}` every 200 ms until its status is one of `statuses` (by default confirmed or
    /// cancelled); throws with the last answer after `timeout`. Non-200 answers (the read model may lag the
    /// 202, a restarted service may still be coming up) are polled through.
    static func awaitFinal(
        _ stack: Stack,
        _ session: Session,
        _ orderId: String,
        statuses: Set<String> = finalStatuses,
        timeout: Duration = .seconds(30)
    ) async throws -> ShopOrder {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let response = try await get(stack, session, orderId)
            if response.status == 200 {
                let order = try decodeBody(ShopOrder.self, response, what: "GET /v1/orders/\(orderId)")
                if statuses.contains(order.status) { return order }
            }
            guard ContinuousClock.now < deadline else {
                throw HarnessError(
                    "order \(orderId) is not \(statuses.sorted().joined(separator: " or ")) after \(timeout); "
                        + "last answer \(response.status): \(response.text.prefix(800))"
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Polls every order (each read by its owner) until all are confirmed or cancelled, within one `timeout`
    /// for all of them; the final orders by id. Throws naming the orders still pending.
    static func awaitAllFinal(
        _ stack: Stack,
        _ placed: [(session: Session, id: String)],
        timeout: Duration = .seconds(60)
    ) async throws -> [String: ShopOrder] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var finished: [String: ShopOrder] = [:]
        var lastSeen: [String: String] = [:]
        while true {
            for entry in placed where finished[entry.id] == nil {
                let response = try await get(stack, entry.session, entry.id)
                guard response.status == 200 else {
                    lastSeen[entry.id] = "\(response.status) \(response.text.prefix(200))"
                    continue
                }
                let order = try decodeBody(ShopOrder.self, response, what: "GET /v1/orders/\(entry.id)")
                lastSeen[entry.id] = order.status
                if order.isFinal {
                    finished[entry.id] = order
                }
            }
            if finished.count == placed.count { return finished }
            guard ContinuousClock.now < deadline else {
                let pending = placed.filter { finished[$0.id] == nil }.map { "\($0.id): \(lastSeen[$0.id] ?? "no answer")" }
                throw HarnessError(
                    "\(pending.count) of \(placed.count) orders not confirmed or cancelled after \(timeout):\n"
                        + pending.joined(separator: "\n")
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The ids and statuses of every order `GET /v1/orders` shows `session` (all pages, at most 50).
    static func list(_ stack: Stack, _ session: Session) async throws -> [(id: String, status: String)] {
        var orders: [(id: String, status: String)] = []
        var cursor: String?
        for _ in 0..<50 {
            let query = "?limit=100" + (cursor.map { "&cursor=\(queryEscaped($0))" } ?? "")
            let response = try await stack.http.send(.GET, stack.url("/v1/orders\(query)"), headers: [bearer(session.accessToken)])
            guard response.status == 200, let page = try? response.jsonObject(), let items = page["items"] as? [[String: Any]] else {
                throw HarnessError("GET /v1/orders\(query): expected 200 with items, got \(response.status): \(response.text.prefix(500))")
            }
            for item in items {
                orders.append((id: item["id"] as? String ?? "?", status: item["status"] as? String ?? "?"))
            }
            cursor = page["nextCursor"] as? String
            if cursor == nil { return orders }
        }
        throw HarnessError("GET /v1/orders did not end within 50 pages")
    }

    /// Every payment `GET /v1/payments?orderId=` shows the order's owner (all pages, at most 20); throws when one
    /// belongs to another order.
    static func payments(_ stack: Stack, _ session: Session, _ orderId: String) async throws -> [OrderPayment] {
        var payments: [OrderPayment] = []
        var cursor: String?
        for _ in 0..<20 {
            let query = "?orderId=\(queryEscaped(orderId))&limit=100" + (cursor.map { "&cursor=\(queryEscaped($0))" } ?? "")
            let response = try await stack.http.send(.GET, stack.url("/v1/payments\(query)"), headers: [bearer(session.accessToken)])
            guard response.status == 200 else {
                throw HarnessError("GET /v1/payments\(query): expected 200, got \(response.status): \(response.text.prefix(500))")
            }
            let page = try decodeBody(PaymentPage.self, response, what: "GET /v1/payments\(query)")
            if let stranger = page.items.first(where: { !sameID($0.orderId, orderId) }) {
                throw HarnessError("GET /v1/payments\(query) lists a payment of order \(stranger.orderId): \(response.text.prefix(500))")
            }
            payments += page.items
            cursor = page.nextCursor
            if cursor == nil { return payments }
        }
        throw HarnessError("GET /v1/payments?orderId=\(orderId) did not end within 20 pages")
    }

    private struct PaymentPage: Decodable {
        let items: [OrderPayment]
        let nextCursor: String?
    }

    /// `history` starts with OrderPlaced and ends with OrderConfirmed or OrderCancelled, as the status says.
    static func expectFinalHistory(_ order: ShopOrder, sourceLocation: SourceLocation = #_sourceLocation) {
        let types = order.historyTypes
        #expect(types.first == "OrderPlaced", "history of \(order.id) starts with OrderPlaced: \(types)", sourceLocation: sourceLocation)
        switch order.status {
        case "confirmed":
            #expect(types.last == "OrderConfirmed", "history of \(order.id) ends with OrderConfirmed: \(types)", sourceLocation: sourceLocation)
        case "cancelled":
            #expect(types.last == "OrderCancelled", "history of \(order.id) ends with OrderCancelled: \(types)", sourceLocation: sourceLocation)
        default:
            Issue.record("order \(order.id) is not final: \(order.status)", sourceLocation: sourceLocation)
        }
    }

    /// Σ unit price × quantity over the lines.
    static func lineTotal(_ order: ShopOrder) -> Int {
        order.items.reduce(0) { $0 + $1.unitPrice.amount * $1.quantity }
    }
}

// MARK: The read-model rebuild

/// `order rebuild-read-model`, run as a child process with the order service's environment.
enum OrderReadModelRebuild {
    struct Outcome: Sendable {
        /// The exit status, nil when it had to be killed after the timeout.
        let status: Int32?
        let standardOutput: String
        let standardError: String
    }

    /// Runs the command and waits (at most `timeout`, then SIGKILL) for it to exit; its output is kept in the
    /// stack's log folder too.
    static func run(_ stack: Stack, timeout: Duration = .seconds(60)) async throws -> Outcome {
        let tag = UUID().uuidString.lowercased().prefix(8)
        let outputURL = stack.logDirectory.appendingPathComponent("order-rebuild-\(tag).out.log")
        let errorURL = stack.logDirectory.appendingPathComponent("order-rebuild-\(tag).err.log")
        for url in [outputURL, errorURL] {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw HarnessError("cannot create \(url.path)")
            }
        }
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)

        let process = Process()
        process.executableURL = try ServiceProcess.executableURL(for: "order")
        process.arguments = ["rebuild-read-model"]
        process.environment = try stack.environment(for: "order", port: 0)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            try? output.close()
            try? errors.close()
            throw HarnessError("could not launch order rebuild-read-model: \(error)")
        }
        // The child holds its own copies of the descriptors.
        try? output.close()
        try? errors.close()
        // Whatever happens below, the child does not outlive this call.
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
            }
        }

        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        var status: Int32?
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let killedBy = ContinuousClock.now.advanced(by: .seconds(5))
            while process.isRunning, ContinuousClock.now < killedBy {
                try await Task.sleep(for: .milliseconds(50))
            }
        } else {
            status = process.terminationStatus
        }
        return Outcome(
            status: status,
            standardOutput: String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self),
            standardError: String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self)
        )
    }
}

// MARK: Decoding

/// Whether two ids name the same thing: UUIDs compare without regard to case, since services may spell them
/// differently.
func sameID(_ first: String?, _ second: String) -> Bool {
    first?.lowercased() == second.lowercased()
}

/// Decodes a response body, naming the request and quoting the body when it does not fit.
func decodeBody<T: Decodable>(_ type: T.Type, _ response: HTTPResult, what: String) throws -> T {
    do {
        return try response.decode(type)
    } catch {
        throw HarnessError("\(what): the body is not a \(T.self) (\(error)): \(response.text.prefix(800))")
    }
}
