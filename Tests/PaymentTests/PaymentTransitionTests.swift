import Contracts
import Testing

@testable import PaymentService

struct PaymentTransitionTests {
    @Test func captureTakesAnAuthorizationOnce() {
        #expect(PaymentTransition.capture(from: .authorized) == .move(to: .captured, recording: .capture))
        #expect(PaymentTransition.capture(from: .captured) == .unchanged)
    }

    @Test(arguments: [PaymentStatus.voided, .refunded, .declined])
    func captureIsRefusedOnceSettledOrDeclined(_ status: PaymentStatus) {
        guard case .refused = PaymentTransition.capture(from: status) else {
            Issue.record("capture from \(status) should be refused")
            return
        }
    }

    @Test func cancelVoidsAnAuthorizationAndRefundsACapture() {
        #expect(PaymentTransition.cancel(from: .authorized) == .move(to: .voided, recording: .void))
        #expect(PaymentTransition.cancel(from: .captured) == .move(to: .refunded, recording: .refund))
    }

    @Test(arguments: [PaymentStatus.voided, .refunded, .declined])
    func cancelLeavesSettledPaymentsAsTheyAre(_ status: PaymentStatus) {
        #expect(PaymentTransition.cancel(from: status) == .unchanged)
    }

    @Test func aPaymentIsCapturedAndRefundedAtMostOnce() {
        // Walk every path: the ledger kinds recorded along one never repeat.
        var status = PaymentStatus.authorized
        var recorded: [LedgerEntry.Kind] = [.authorize]
        for step in [
            PaymentTransition.capture(from:), PaymentTransition.capture(from:), PaymentTransition.cancel(from:), PaymentTransition.cancel(from:),
        ] {
            if case .move(let next, let kind) = step(status) {
                status = next
                recorded.append(kind)
            }
        }
        #expect(recorded == [.authorize, .capture, .refund])
        #expect(status == .refunded)
    }
}
