import Contracts

/// The simulated card processor: a deterministic decision from the card number alone.
///
/// The API's test cards behave as documented; any other valid number is approved:
///
/// | number | decision |
/// |---|---|
/// | `4242424242424242` | approved |
/// | `4000000000000002` | declined, `card_declined` |
/// | `4000000000009995` | declined, `insufficient_funds` |
/// | `4000000000000119` | unavailable every time (a processor outage) |
struct CardProcessor: Sendable {
    /// What the processor answered.
    enum Decision: Sendable, Equatable {
        case approved
        case declined(DeclineReason)
        /// The processor failed transiently: nothing happened, and a retry may succeed.
        case unavailable
    }

    /// Asks for an authorization of `amount` on `card`.
    func authorize(_ amount: Money, on card: CardNumber) -> Decision {
        switch card.digits {
        case "4000000000000002": .declined(.cardDeclined)
        case "4000000000009995": .declined(.insufficientFunds)
        case "4000000000000119": .unavailable
        default: .approved
        }
    }
}
