import Contracts
import Testing

@testable import ProductService

struct ReservationTransitionTests {
    @Test func commitTakesAHeldReservation() {
        #expect(ReservationStatus.reserved.commitAction(overdue: false) == .commit)
    }

    @Test func commitExpiresAnOverdueHold() {
        #expect(ReservationStatus.reserved.commitAction(overdue: true) == .expire)
    }

    @Test(arguments: [false, true])
    func commitKeepsACommittedReservation(overdue: Bool) {
        #expect(ReservationStatus.committed.commitAction(overdue: overdue) == .keep)
    }

    @Test(arguments: [ReservationStatus.released, .expired, .rejected])
    func commitRefusesWhatHoldsNothing(_ status: ReservationStatus) {
        #expect(status.commitAction(overdue: false) == .refuse)
        #expect(status.commitAction(overdue: true) == .refuse)
    }

    @Test func releaseFreesHeldStock() {
        #expect(ReservationStatus.reserved.releaseAction == .giveBack(.unhold))
    }

    @Test func releasePutsSoldStockBackOnHand() {
        #expect(ReservationStatus.committed.releaseAction == .giveBack(.restock))
    }

    @Test(arguments: [ReservationStatus.released, .expired, .rejected])
    func releaseKeepsWhatHoldsNothing(_ status: ReservationStatus) {
        #expect(status.releaseAction == .keep)
    }
}
