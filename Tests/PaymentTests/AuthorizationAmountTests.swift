import Contracts
import Foundation
import GRPCCore
import InternalAPI
import ServiceKit
import Testing

@testable import PaymentService

/// The amounts an authorization may be for: 1 to 10^12 minor units.
struct AuthorizationAmountTests {
    private static func fields(_ amount: Int64, currency: String = "USD") -> [String] {
        let request = AuthorizationRequest(
            orderId: UUID(),
            userId: UUID(),
            paymentMethodId: UUID(),
            amount: Money(amount: amount, currency: currency)
        )
        do {
            try request.validate()
            return []
        } catch let problem as ProblemError {
            #expect(problem.status == .unprocessableContent)
            return problem.fieldErrors.map(\.field)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func theBoundsAreOneAndTenToTheTwelve() {
        #expect(Self.fields(1) == [])
        #expect(Self.fields(1_000_000_000_000) == [])
        #expect(Self.fields(0) == ["amount.amount"])
        #expect(Self.fields(1_000_000_000_001) == ["amount.amount"])
        #expect(Self.fields(9_000_000_000_000_000_000) == ["amount.amount"])
        #expect(Self.fields(Int64.min) == ["amount.amount"])
        #expect(Self.fields(100, currency: "usd") == ["amount.currency"])
    }

    @Test func idsThatAreNotUUIDsAreInvalidArguments() {
        let message = Shop_Payment_V1_AuthorizeRequest.with {
            $0.orderID = UUID().uuidString
            $0.userID = "someone"
            $0.paymentMethodID = UUID().uuidString
        }
        let error = #expect(throws: RPCError.self) { try AuthorizationRequest(message) }
        #expect(error?.code == .invalidArgument)
    }
}
