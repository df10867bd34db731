import Contracts
import Foundation
import ServiceKit
import Testing

@testable import OrderService

/// The order aggregate: commands decide events, the state is their fold, the stored form and the
/// view are pure functions of them, and the request that places an order is validated.
struct OrderAggregateTests {
    private typealias Fixture = OrderFixture

    /// Every observable fact of an `OrderState` but its placement and history.
    struct Facts: Equatable, Sendable {
        var status: OrderStatus = .pending
        var version = 1
        var stockReserved = false
        var paymentId: UUID?
        var stockCommitted = false
        var paymentCaptured = false
        var isConfirmed = false
        var cancellationRequested: CancellationReason?
        var paymentCancelled: PaymentStatus?
        var stockReleased = false
        var cancellationReason: CancellationReason?
        var isCancelled = false
    }

    private func facts(_ state: OrderState) -> Facts {
        Facts(
            status: state.status,
            version: state.version,
            stockReserved: state.stockReserved,
            paymentId: state.paymentId,
            stockCommitted: state.stockCommitted,
            paymentCaptured: state.paymentCaptured,
            isConfirmed: state.isConfirmed,
            cancellationRequested: state.cancellationRequested,
            paymentCancelled: state.paymentCancelled,
            stockReleased: state.stockReleased,
            cancellationReason: state.cancellationReason,
            isCancelled: state.isCancelled
        )
    }

    // MARK: Commands and the fold

    @Test func placeGivesTheFirstEventOfTheStream() {
        let event = OrderState.place(Fixture.placement, at: 1_700_000_000_123)
        #expect(event.kind == .placed(Fixture.placement))
        #expect(event.kind.type == "OrderPlaced")
        #expect(event.version == 1)
        #expect(event.occurredAtMillis == 1_700_000_000_123)
        #expect(event.occurredAt == Date(timeIntervalSince1970: 1_700_000_000.123))

        let state = OrderState(events: [event])
        #expect(state.placement == Fixture.placement)
        #expect(state.history == [event])
        #expect(self.facts(state) == Facts())
    }

    @Test func anEmptyStreamHasNoOrder() {
        let state = OrderState(events: [])
        #expect(state == OrderState())
        #expect(state.placement == nil)
        #expect(state.version == 0)
        #expect(state.history.isEmpty)
        #expect(state.status == .pending)
        #expect(!state.isCancelled)
    }

    @Test(arguments: [
        (OrderEventKind.stockReserved, Facts(version: 2, stockReserved: true)),
        (.paymentAuthorized(paymentId: OrderFixture.paymentId), Facts(version: 2, paymentId: OrderFixture.paymentId)),
        (.stockCommitted, Facts(version: 2, stockCommitted: true)),
        (.paymentCaptured, Facts(version: 2, paymentCaptured: true)),
        (.confirmed, Facts(status: .confirmed, version: 2, isConfirmed: true)),
        (.cancellationRequested(.outOfStock), Facts(version: 2, cancellationRequested: .outOfStock)),
        (.cancellationRequested(.customerRequest), Facts(version: 2, cancellationRequested: .customerRequest)),
        (.paymentCancelled(status: .refunded), Facts(version: 2, paymentCancelled: .refunded)),
        (.paymentCancelled(status: .voided), Facts(version: 2, paymentCancelled: .voided)),
        (.stockReleased, Facts(version: 2, stockReleased: true)),
        (.cancelled(.paymentDeclined), Facts(status: .cancelled, version: 2, cancellationReason: .paymentDeclined, isCancelled: true)),
        (.cancelled(.deadlineExceeded), Facts(status: .cancelled, version: 2, cancellationReason: .deadlineExceeded, isCancelled: true)),
    ])
    func foldingAnEventChangesExactlyItsFact(kind: OrderEventKind, expected: Facts) {
        let state = Fixture.state([kind])
        #expect(self.facts(state) == expected)
        #expect(state.placement == Fixture.placement)
        #expect(state.history.map(\.kind.type) == ["OrderPlaced", kind.type])
        #expect(state.history.last?.kind == kind)
    }

    @Test func aConfirmedOrderStaysConfirmedUntilItsCancellationIsFinished() {
        let confirmed = Fixture.state(Fixture.forward)
        #expect(
            self.facts(confirmed)
                == Facts(
                    status: .confirmed,
                    version: 6,
                    stockReserved: true,
                    paymentId: Fixture.paymentId,
                    stockCommitted: true,
                    paymentCaptured: true,
                    isConfirmed: true
                )
        )
        let cancelling = Fixture.state(Fixture.forward + [.cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded)])
        #expect(cancelling.status == .confirmed)
        #expect(cancelling.cancellationReason == nil)
        let cancelled = Fixture.state(
            Fixture.forward + [
                .cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded), .stockReleased,
                .cancelled(.customerRequest),
            ]
        )
        #expect(
            self.facts(cancelled)
                == Facts(
                    status: .cancelled,
                    version: 10,
                    stockReserved: true,
                    paymentId: Fixture.paymentId,
                    stockCommitted: true,
                    paymentCaptured: true,
                    isConfirmed: true,
                    cancellationRequested: .customerRequest,
                    paymentCancelled: .refunded,
                    stockReleased: true,
                    cancellationReason: .customerRequest,
                    isCancelled: true
                )
        )
    }

    @Test func aPendingOrderStaysPendingWhileItsCancellationIsUnderWay() {
        let state = Fixture.state([.stockReserved, .cancellationRequested(.paymentDeclined), .paymentCancelled(status: .declined)])
        #expect(state.status == .pending)
        #expect(!state.isCancelled)
        #expect(state.cancellationRequested == .paymentDeclined)
        #expect(state.cancellationReason == nil)
    }

    @Test func foldingAllAtOnceEqualsApplyingOneByOne() {
        let events = Fixture.events([.placed(Fixture.placement)] + Fixture.forward)
        var state = OrderState()
        for (index, event) in events.enumerated() {
            state.apply(event)
            #expect(state.version == index + 1)
            #expect(state == OrderState(events: Array(events[...index])))
        }
        #expect(state == OrderState(events: events))
        #expect(state.history == events)
    }

    @Test func onlyTheFirstRequestedCancellationReasonCounts() {
        let state = Fixture.state([
            .cancellationRequested(.customerRequest), .cancellationRequested(.deadlineExceeded), .cancellationRequested(.paymentFailed),
        ])
        #expect(state.cancellationRequested == .customerRequest)
        #expect(state.version == 4)
        #expect(state.history.count == 4)
    }

    @Test func nextContinuesTheStreamsVersions() {
        var state = OrderState(events: [OrderState.place(Fixture.placement, at: Fixture.placedAt)])
        for (offset, kind) in Fixture.forward.enumerated() {
            let event = state.next(kind, at: Fixture.placedAt + Int64(offset + 1))
            #expect(event.kind == kind)
            #expect(event.version == offset + 2)
            #expect(event.occurredAtMillis == Fixture.placedAt + Int64(offset + 1))
            state.apply(event)
        }
        #expect(state.history.map(\.version) == [1, 2, 3, 4, 5, 6])
        #expect(state.version == 6)
    }

    @Test(arguments: 0...5)
    func aCustomerMayCancelAPendingOrConfirmedOrder(forwardSteps: Int) throws {
        let state = Fixture.state(Array(Fixture.forward.prefix(forwardSteps)))
        #expect(state.status == (forwardSteps == 5 ? .confirmed : .pending))
        let event = try state.requestCancellation(at: 1_700_000_050_000)
        #expect(event.kind == .cancellationRequested(.customerRequest))
        #expect(event.version == forwardSteps + 2)
        #expect(event.occurredAtMillis == 1_700_000_050_000)
        var after = state
        after.apply(event)
        #expect(after.cancellationRequested == .customerRequest)
        #expect(after.status == state.status)
        #expect(after.cancellationReason == nil)
    }

    @Test(arguments: [
        [OrderEventKind.cancellationRequested(.customerRequest)],
        [.cancellationRequested(.outOfStock)],
        [.stockReserved, .cancellationRequested(.paymentDeclined), .paymentCancelled(status: .declined)],
        OrderFixture.forward + [.cancellationRequested(.customerRequest)],
        [.cancellationRequested(.deadlineExceeded), .stockReleased, .cancelled(.deadlineExceeded)],
        OrderFixture.forward + [.cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded), .stockReleased],
        OrderFixture.forward + [
            .cancellationRequested(.customerRequest), .paymentCancelled(status: .refunded), .stockReleased, .cancelled(.customerRequest),
        ],
        // A cancellation recorded without a request (not written by the saga, but a fact is a fact).
        [.cancelled(.paymentFailed)],
    ])
    func aCancellationCannotBeRequestedTwice(kinds: [OrderEventKind]) {
        let state = Fixture.state(kinds)
        #expect(throws: OrderRejection.alreadyCancelled) { try state.requestCancellation(at: 1_700_000_050_000) }
    }

    @Test func aCancellationOfNoOrderIsRefused() {
        #expect(throws: OrderRejection.notPlaced) { try OrderState().requestCancellation(at: 1_700_000_050_000) }
        // Events without an `OrderPlaced` do not make an order either.
        let orphan = OrderState(events: Fixture.events([.stockReserved]))
        #expect(throws: OrderRejection.notPlaced) { try orphan.requestCancellation(at: 1_700_000_050_000) }
    }

    @Test func nowMillisIsWholeMillisecondsRoundedDown() {
        #expect(OrderEvent.nowMillis(Date(timeIntervalSince1970: 1_700_000_000.1239)) == 1_700_000_000_123)
        #expect(OrderEvent.nowMillis(Date(timeIntervalSince1970: 0)) == 0)
    }

    // MARK: Stored form

    /// One of every kind, with every reason and payment status.
    static let everyKind: [OrderEventKind] =
        [
            .placed(OrderFixture.placement),
            .placed(OrderFixture.placementWithoutOptionals),
            .stockReserved,
            .paymentAuthorized(paymentId: OrderFixture.paymentId),
            .stockCommitted,
            .paymentCaptured,
            .confirmed,
            .stockReleased,
        ]
        + CancellationReason.allCases.map { OrderEventKind.cancellationRequested($0) }
        + [PaymentStatus.authorized, .captured, .voided, .refunded, .declined].map { OrderEventKind.paymentCancelled(status: $0) }
        + CancellationReason.allCases.map { OrderEventKind.cancelled($0) }

    @Test(arguments: OrderAggregateTests.everyKind)
    func everyKindSurvivesItsStoredForm(kind: OrderEventKind) throws {
        let data = try kind.encodedData()
        #expect(try OrderEventKind(type: kind.type, data: data) == kind)
        // The stored JSON is stable: written twice, it is the same bytes.
        #expect(try kind.encodedData() == data)
    }

    @Test func theStoredTypeNamesAreTheDocumentedOnes() {
        let kinds: [OrderEventKind] = [
            .placed(Fixture.placement), .stockReserved, .paymentAuthorized(paymentId: Fixture.paymentId), .stockCommitted, .paymentCaptured,
            .confirmed, .cancellationRequested(.outOfStock), .paymentCancelled(status: .voided), .stockReleased, .cancelled(.outOfStock),
        ]
        #expect(
            kinds.map(\.type) == [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "StockCommitted", "PaymentCaptured", "OrderConfirmed",
                "CancellationRequested", "PaymentCancelled", "StockReleased", "OrderCancelled",
            ]
        )
    }

    @Test func theStoredDataIsSortedCompactJSON() throws {
        func json(_ kind: OrderEventKind) throws -> String { String(decoding: try kind.encodedData(), as: UTF8.self) }
        #expect(try json(.stockReserved) == "{}")
        #expect(try json(.confirmed) == "{}")
        #expect(try json(.paymentAuthorized(paymentId: Fixture.paymentId)) == #"{"paymentId":"\#(Fixture.paymentId.uuidString)"}"#)
        #expect(try json(.cancellationRequested(.outOfStock)) == #"{"reason":"out_of_stock"}"#)
        #expect(try json(.cancelled(.customerRequest)) == #"{"reason":"customer_request"}"#)
        #expect(try json(.paymentCancelled(status: .refunded)) == #"{"paymentStatus":"refunded"}"#)
        let placed = try json(.placed(Fixture.placement))
        #expect(placed.hasPrefix(#"{"placement":{"deadlineMillis":1700000120000,"items":[{"name":"Mug","productId":"#))
        #expect(placed.contains(#""total":{"amount":3497,"currency":"EUR"}"#))
    }

    @Test(arguments: ["OrderShipped", "orderPlaced", "ORDERCONFIRMED", "", "Order Cancelled"])
    func anUnknownTypeThrows(type: String) {
        let error = #expect(throws: OrderEventKind.UnknownEvent.self) { try OrderEventKind(type: type, data: Data("{}".utf8)) }
        #expect(error?.type == type)
        #expect(error?.description == "unknown or malformed order event \(type)")
    }

    @Test(arguments: [
        // Not JSON, or not an object.
        ("StockReserved", ""),
        ("StockReserved", "not json"),
        ("OrderConfirmed", "[]"),
        ("StockReleased", "null"),
        // The payload the type needs is missing.
        ("OrderPlaced", "{}"),
        ("PaymentAuthorized", "{}"),
        ("CancellationRequested", "{}"),
        ("PaymentCancelled", "{}"),
        ("OrderCancelled", "{}"),
        // Another event's payload under this type.
        ("PaymentCancelled", #"{"reason":"out_of_stock"}"#),
        ("OrderCancelled", #"{"paymentStatus":"voided"}"#),
        // Values of the wrong shape.
        ("PaymentAuthorized", #"{"paymentId":"not-a-uuid"}"#),
        ("OrderCancelled", #"{"reason":"bored"}"#),
        ("CancellationRequested", #"{"reason":"Out_Of_Stock"}"#),
        ("PaymentCancelled", #"{"paymentStatus":"pending"}"#),
        ("OrderPlaced", #"{"placement":{"orderId":"00000000-0000-0000-0000-0000000000A1"}}"#),
    ])
    func malformedDataThrows(type: String, json: String) {
        #expect(throws: (any Error).self) { try OrderEventKind(type: type, data: Data(json.utf8)) }
    }

    // MARK: The view

    @Test func aNewOrderRendersPending() throws {
        let state = OrderState(events: [OrderState.place(Fixture.placement, at: 1_700_000_000_123)])
        let view = try #require(OrderView(state))
        #expect(view.id == Fixture.orderId)
        #expect(view.userId == Fixture.userId)
        #expect(view.status == .pending)
        #expect(view.items == Fixture.placement.items)
        #expect(view.total == Money(amount: 3497, currency: "EUR"))
        #expect(view.paymentMethodId == Fixture.paymentMethodId)
        #expect(view.shippingAddress == Fixture.address)
        #expect(view.cancellationReason == nil)
        #expect(view.createdAt == Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(view.updatedAt == view.createdAt)
        #expect(view.history == [.init(type: "OrderPlaced", at: Date(timeIntervalSince1970: 1_700_000_000.123))])
    }

    @Test func aCancelledOrderRendersItsReasonAndHistory() throws {
        let kinds: [OrderEventKind] = [
            .placed(Fixture.placement), .cancellationRequested(.outOfStock), .stockReleased, .cancelled(.outOfStock),
        ]
        let times: [Int64] = [1_700_000_000_123, 1_700_000_000_400, 1_700_000_001_000, 1_700_000_002_750]
        let events = zip(kinds, times).enumerated().map { OrderEvent(kind: $1.0, version: $0 + 1, occurredAtMillis: $1.1) }
        let view = try #require(OrderView(OrderState(events: events)))
        #expect(view.status == .cancelled)
        #expect(view.cancellationReason == .outOfStock)
        #expect(view.createdAt == Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(view.updatedAt == Date(timeIntervalSince1970: 1_700_000_002.75))
        #expect(view.history.map(\.type) == ["OrderPlaced", "CancellationRequested", "StockReleased", "OrderCancelled"])
        #expect(view.history.map(\.at) == times.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }

    @Test func aConfirmedOrderRendersConfirmed() throws {
        let view = try #require(OrderView(Fixture.state(Fixture.forward)))
        #expect(view.status == .confirmed)
        #expect(view.cancellationReason == nil)
        #expect(
            view.history.map(\.type) == [
                "OrderPlaced", "StockReserved", "PaymentAuthorized", "StockCommitted", "PaymentCaptured", "OrderConfirmed",
            ]
        )
        #expect(view.createdAt == Date(timeIntervalSince1970: Double(Fixture.placedAt) / 1000))
        #expect(view.updatedAt == Date(timeIntervalSince1970: Double(Fixture.placedAt + 5_000) / 1000))
    }

    @Test func anOrderWhoseCancellationIsUnderWayRendersWithoutAReason() throws {
        let view = try #require(OrderView(Fixture.state(Fixture.forward + [.cancellationRequested(.customerRequest)])))
        #expect(view.status == .confirmed)
        #expect(view.cancellationReason == nil)
        #expect(view.history.last?.type == "CancellationRequested")
    }

    @Test func thereIsNoViewWithoutAnOrder() {
        #expect(OrderView(OrderState()) == nil)
        #expect(OrderView(OrderState(events: Fixture.events([.stockReserved, .confirmed]))) == nil)
    }

    @Test func theViewSurvivesJSON() throws {
        let view = try #require(OrderView(Fixture.state([.cancellationRequested(.outOfStock), .stockReleased, .cancelled(.outOfStock)])))
        let decoded = try JSONDecoder().decode(OrderView.self, from: try JSONEncoder().encode(view))
        #expect(decoded == view)
    }

    // MARK: The request

    private static let goodRequest = OrderRequest(
        items: [
            .init(productId: OrderFixture.mug, quantity: 2),
            .init(productId: OrderFixture.teapot, quantity: 1),
        ],
        paymentMethodId: OrderFixture.paymentMethodId,
        shippingAddress: OrderFixture.address
    )

    private static func request(_ change: (inout OrderRequest) -> Void) -> OrderRequest {
        var request = Self.goodRequest
        change(&request)
        return request
    }

    private static func text(_ count: Int) -> String { String(repeating: "a", count: count) }

    @Test(arguments: [
        OrderAggregateTests.goodRequest,
        OrderAggregateTests.request { $0.items = [.init(productId: OrderFixture.mug, quantity: 1)] },
        OrderAggregateTests.request { $0.items = (1...50).map { .init(productId: OrderFixture.uuid($0), quantity: 1000) } },
        OrderAggregateTests.request {
            $0.shippingAddress = ShippingAddress(
                label: OrderAggregateTests.text(50),
                line1: OrderAggregateTests.text(200),
                line2: OrderAggregateTests.text(200),
                city: OrderAggregateTests.text(100),
                postalCode: OrderAggregateTests.text(20),
                country: "ZZ"
            )
        },
        OrderAggregateTests.request {
            $0.shippingAddress = ShippingAddress(label: nil, line1: " 1 ", line2: nil, city: " x ", postalCode: " 1 ", country: "AA")
        },
    ])
    func aGoodRequestIsAccepted(request: OrderRequest) {
        #expect(throws: Never.self) { try request.validate() }
    }

    @Test(arguments: [
        (OrderAggregateTests.request { $0.items = [] }, ["items"]),
        (OrderAggregateTests.request { $0.items = (1...51).map { .init(productId: OrderFixture.uuid($0), quantity: 1) } }, ["items"]),
        (OrderAggregateTests.request { $0.items[1].quantity = 0 }, ["items[1].quantity"]),
        (OrderAggregateTests.request { $0.items[0].quantity = -3 }, ["items[0].quantity"]),
        (OrderAggregateTests.request { $0.items[1].quantity = 1001 }, ["items[1].quantity"]),
        (OrderAggregateTests.request { $0.items.append(.init(productId: OrderFixture.mug, quantity: 5)) }, ["items[2].productId"]),
        (OrderAggregateTests.request { $0.shippingAddress.label = OrderAggregateTests.text(51) }, ["shippingAddress.label"]),
        (OrderAggregateTests.request { $0.shippingAddress.line1 = "" }, ["shippingAddress.line1"]),
        (OrderAggregateTests.request { $0.shippingAddress.line1 = "   " }, ["shippingAddress.line1"]),
        (OrderAggregateTests.request { $0.shippingAddress.line1 = OrderAggregateTests.text(201) }, ["shippingAddress.line1"]),
        (OrderAggregateTests.request { $0.shippingAddress.line2 = OrderAggregateTests.text(201) }, ["shippingAddress.line2"]),
        (OrderAggregateTests.request { $0.shippingAddress.city = "" }, ["shippingAddress.city"]),
        (OrderAggregateTests.request { $0.shippingAddress.city = OrderAggregateTests.text(101) }, ["shippingAddress.city"]),
        (OrderAggregateTests.request { $0.shippingAddress.postalCode = " " }, ["shippingAddress.postalCode"]),
        (OrderAggregateTests.request { $0.shippingAddress.postalCode = OrderAggregateTests.text(21) }, ["shippingAddress.postalCode"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "gb" }, ["shippingAddress.country"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "GBR" }, ["shippingAddress.country"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "G" }, ["shippingAddress.country"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "" }, ["shippingAddress.country"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "G1" }, ["shippingAddress.country"]),
        (OrderAggregateTests.request { $0.shippingAddress.country = "ÉS" }, ["shippingAddress.country"]),
        (
            OrderAggregateTests.request {
                $0.items = [
                    .init(productId: OrderFixture.mug, quantity: 0), .init(productId: OrderFixture.mug, quantity: 2000),
                ]
                $0.shippingAddress = ShippingAddress(
                    label: OrderAggregateTests.text(51),
                    line1: "",
                    line2: OrderAggregateTests.text(201),
                    city: "",
                    postalCode: "",
                    country: "g"
                )
            },
            [
                "items[0].quantity", "items[1].quantity", "items[1].productId", "shippingAddress.label", "shippingAddress.line1",
                "shippingAddress.line2", "shippingAddress.city", "shippingAddress.postalCode", "shippingAddress.country",
            ]
        ),
    ])
    func aBadRequestNamesEveryBadField(request: OrderRequest, fields: [String]) throws {
        let error = try #require(throws: ProblemError.self) { try request.validate() }
        #expect(error.kind == "validation-error")
        #expect(error.status.code == 422)
        #expect(error.fieldErrors.map(\.field) == fields)
        #expect(error.fieldErrors.allSatisfy { !$0.message.isEmpty })
    }

    @Test func equalRequestsHaveEqualFingerprints() {
        let copy = OrderRequest(
            items: [.init(productId: OrderFixture.mug, quantity: 2), .init(productId: OrderFixture.teapot, quantity: 1)],
            paymentMethodId: OrderFixture.paymentMethodId,
            shippingAddress: ShippingAddress(
                label: "Home",
                line1: "1 High Street",
                line2: "Flat 2",
                city: "London",
                postalCode: "SW1A 1AA",
                country: "GB"
            )
        )
        #expect(copy == Self.goodRequest)
        #expect(copy.fingerprint == Self.goodRequest.fingerprint)
        // A base64url SHA-256: 43 characters, no padding.
        #expect(copy.fingerprint.count == 43)
        #expect(copy.fingerprint.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    }

    @Test(arguments: [
        OrderAggregateTests.request { $0.items[0].quantity = 3 },
        OrderAggregateTests.request { $0.items[0].productId = OrderFixture.uuid(99) },
        OrderAggregateTests.request { $0.items.reverse() },
        OrderAggregateTests.request { $0.items.removeLast() },
        OrderAggregateTests.request { $0.items.append(.init(productId: OrderFixture.uuid(98), quantity: 1)) },
        OrderAggregateTests.request { $0.paymentMethodId = OrderFixture.uuid(97) },
        OrderAggregateTests.request { $0.shippingAddress.label = nil },
        OrderAggregateTests.request { $0.shippingAddress.label = "Work" },
        OrderAggregateTests.request { $0.shippingAddress.line1 = "2 High Street" },
        OrderAggregateTests.request { $0.shippingAddress.line2 = nil },
        OrderAggregateTests.request { $0.shippingAddress.line2 = "Flat 3" },
        OrderAggregateTests.request { $0.shippingAddress.city = "Leeds" },
        OrderAggregateTests.request { $0.shippingAddress.postalCode = "LS1 1AA" },
        OrderAggregateTests.request { $0.shippingAddress.country = "IE" },
    ])
    func anyDifferenceChangesTheFingerprint(request: OrderRequest) {
        #expect(request != Self.goodRequest)
        #expect(request.fingerprint != Self.goodRequest.fingerprint)
    }
}

/// Values shared by the order tests (also by `OrderSagaTests`).
enum OrderFixture {
    static func uuid(_ number: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012X", number))!
    }

    static let orderId = uuid(0xA1)
    static let userId = uuid(0xB2)
    static let paymentMethodId = uuid(0xC3)
    static let paymentId = uuid(0xD4)
    static let mug = uuid(0xE5)
    static let teapot = uuid(0xF6)

    /// When the order was placed; its saga deadline is two minutes later.
    static let placedAt: Int64 = 1_700_000_000_000
    static let deadline: Int64 = 1_700_000_120_000

    static let address = ShippingAddress(
        label: "Home",
        line1: "1 High Street",
        line2: "Flat 2",
        city: "London",
        postalCode: "SW1A 1AA",
        country: "GB"
    )

    static let placement = OrderPlacement(
        orderId: orderId,
        userId: userId,
        items: [
            OrderLine(productId: mug, name: "Mug", quantity: 2, unitPrice: Money(amount: 999, currency: "EUR")),
            OrderLine(productId: teapot, name: "Teapot", quantity: 1, unitPrice: Money(amount: 1499, currency: "EUR")),
        ],
        total: Money(amount: 3497, currency: "EUR"),
        paymentMethodId: paymentMethodId,
        shippingAddress: address,
        deadlineMillis: deadline
    )

    static let placementWithoutOptionals = OrderPlacement(
        orderId: orderId,
        userId: userId,
        items: [OrderLine(productId: mug, name: "Mug", quantity: 1, unitPrice: Money(amount: 999, currency: "EUR"))],
        total: Money(amount: 999, currency: "EUR"),
        paymentMethodId: paymentMethodId,
        shippingAddress: ShippingAddress(label: nil, line1: "1 High Street", line2: nil, city: "London", postalCode: "SW1A 1AA", country: "GB"),
        deadlineMillis: deadline
    )

    /// The saga's forward events, in order, up to `OrderConfirmed`.
    static let forward: [OrderEventKind] = [
        .stockReserved, .paymentAuthorized(paymentId: paymentId), .stockCommitted, .paymentCaptured, .confirmed,
    ]

    /// `kinds` as a stream: versions from 1, one second apart from `placedAt`.
    static func events(_ kinds: [OrderEventKind]) -> [OrderEvent] {
        kinds.enumerated().map { OrderEvent(kind: $1, version: $0 + 1, occurredAtMillis: placedAt + Int64($0) * 1000) }
    }

    /// The state of the order placed with `placement`, after `kinds`.
    static func state(_ kinds: [OrderEventKind]) -> OrderState {
        OrderState(events: events([.placed(placement)] + kinds))
    }
}

/// The event types the saga's metrics are created with at start are exactly the stored ones.
struct OrderEventTypeNamesTests {
    @Test func typeNamesListEveryKindOnce() {
        let kinds: [OrderEventKind] = [
            .stockReserved, .paymentAuthorized(paymentId: UUID()), .stockCommitted, .paymentCaptured, .confirmed,
            .cancellationRequested(.outOfStock), .paymentCancelled(status: .voided), .stockReleased, .cancelled(.customerRequest),
        ]
        let names = Set(kinds.map(\.type) + ["OrderPlaced"])
        #expect(Set(OrderEventKind.typeNames) == names)
        #expect(OrderEventKind.typeNames.count == names.count, "no name twice")
    }
}
