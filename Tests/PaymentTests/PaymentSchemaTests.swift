import Contracts
import Foundation
import InternalAPI
import ServiceKit
import Testing

@testable import PaymentService

struct PaymentSchemaTests {
    @Test func migrationsAreNumberedInOrder() {
        #expect(PaymentMigrations.all.map(\.version) == Array(1...PaymentMigrations.all.count))
    }

    /// An applied migration must never change: the service would refuse to start.
    @Test func theFirstMigrationIsUnchanged() {
        #expect(PaymentMigrations.all.first?.checksum == "c493d2402c6a0c15a697e2b044cfce3f25ecb0a5f69fc38bc801e2afb153208f")
    }

    @Test func theLedgerIsAppendOnlyAndOneEntryPerKind() {
        let statements = PaymentMigrations.all.flatMap(\.statements).joined(separator: "\n")
        #expect(statements.contains("UNIQUE (payment_id, kind)"))
        #expect(statements.contains("BEFORE UPDATE OR DELETE ON payment_ledger"))
        #expect(statements.contains("order_id uuid NOT NULL UNIQUE"))
    }
}

struct PaymentViewTests {
    let payment = Payment(
        id: UUID(),
        orderId: UUID(),
        userId: UUID(),
        paymentMethodId: UUID(),
        amount: Money(amount: 1999, currency: "USD"),
        status: .declined,
        declineReason: .insufficientFunds,
        authorizedAmount: nil,
        createdAt: Date(timeIntervalSince1970: 1_900_000_000)
    )

    @Test func theInternalAnswerCarriesStatusAmountAndReason() {
        let answer = Shop_Payment_V1_Payment(self.payment)
        #expect(answer.paymentID == self.payment.id.uuidString.lowercased())
        #expect(answer.orderID == self.payment.orderId.uuidString.lowercased())
        #expect(answer.status == .declined)
        #expect(answer.amount.amountMinor == 1999 && answer.amount.currency == "USD")
        #expect(answer.declineReason == .insufficientFunds)
    }

    @Test func thePublicViewHasTheDocumentedFields() throws {
        let json = try JSONSerialization.jsonObject(with: try WireJSON.encoder().encode(self.payment.view)) as? [String: Any]
        let object = try #require(json)
        #expect(Set(object.keys) == ["id", "orderId", "amount", "status", "declineReason", "createdAt"])
        #expect(object["status"] as? String == "declined")
    }

    @Test func aSavedCardShowsNeitherNumberNorCvc() throws {
        let method = PaymentMethod(id: UUID(), brand: .visa, last4: "4242", expMonth: 12, expYear: 2030, holderName: nil, createdAt: Date())
        let json = try JSONSerialization.jsonObject(with: try WireJSON.encoder().encode(method)) as? [String: Any]
        let object = try #require(json)
        #expect(Set(object.keys) == ["id", "brand", "last4", "expMonth", "expYear", "createdAt"])
        #expect(object["brand"] as? String == "visa")
    }

    @Test func aNewPaymentOpensTheLedgerWithItsOwnKind() {
        var payment = self.payment
        #expect(PaymentRepository.ledgerKind(of: payment) == .decline)
        payment.status = .authorized
        #expect(PaymentRepository.ledgerKind(of: payment) == .authorize)
        payment.status = .voided
        #expect(PaymentRepository.ledgerKind(of: payment) == .void)
    }

    @Test func captureAndRefundMoveExactlyTheAuthorizedAmount() {
        var payment = self.payment
        payment.status = .authorized
        payment.authorizedAmount = 1999
        #expect(payment.authorizedMoney == Money(amount: 1999, currency: "USD"))
    }
}
