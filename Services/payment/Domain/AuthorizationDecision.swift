import Contracts
import Foundation

/// A saved card read back for an authorization: its owner, decrypted number and expiry.
struct SavedCard: Sendable {
    var id: UUID
    var userId: UUID
    var number: CardNumber
    var expiry: CardExpiry
}

/// How an authorization request ends, decided from the saved card (if any) and the processor.
enum AuthorizationDecision: Sendable, Equatable {
    /// Record an `authorized` payment.
    case authorize
    /// Record a `declined` payment with this reason.
    case decline(DeclineReason)
    /// Record nothing and answer 503: the caller may retry.
    case processorUnavailable

    /// The card must exist, be `userId`'s and not have expired at `now`; then the processor decides.
    static func decide(card: SavedCard?, userId: UUID, amount: Money, at now: Date, processor: CardProcessor) -> Self {
        guard let card, card.userId == userId else { return .decline(.invalidPaymentMethod) }
        guard !card.expiry.isExpired(at: now) else { return .decline(.expiredCard) }
        switch processor.authorize(amount, on: card.number) {
        case .approved: return .authorize
        case .declined(let reason): return .decline(reason)
        case .unavailable: return .processorUnavailable
        }
    }
}
