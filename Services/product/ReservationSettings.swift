import ServiceKit

/// How long stock is held for an order and how often holds are checked for expiry.
struct ReservationSettings: Sendable, Equatable {
    /// A reservation not committed within this time expires and its stock goes back
    /// (`RESERVATION_TTL_SECONDS`, default 600).
    var holdFor: Duration
    /// How often the expiry sweeper looks for expired holds (`RESERVATION_SWEEP_SECONDS`, default 5).
    var sweepInterval: Duration

    init(holdFor: Duration = .seconds(600), sweepInterval: Duration = .seconds(5)) {
        self.holdFor = holdFor
        self.sweepInterval = sweepInterval
    }

    init(settings: SettingsReader) throws {
        self.holdFor = try settings.seconds("reservation.ttlSeconds", default: .seconds(600), range: 1...86_400)
        self.sweepInterval = try settings.seconds("reservation.sweepSeconds", default: .seconds(5), range: 0.1...3_600)
    }
}
