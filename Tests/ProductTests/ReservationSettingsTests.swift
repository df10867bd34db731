import ServiceKit
import Testing

@testable import ProductService

struct ReservationSettingsTests {
    @Test func defaults() throws {
        let settings = try ReservationSettings(settings: SettingsReader(environment: [:]))
        #expect(settings == ReservationSettings(holdFor: .seconds(600), sweepInterval: .seconds(5)))
    }

    @Test func readsTheEnvironment() throws {
        let reader = SettingsReader(environment: ["RESERVATION_TTL_SECONDS": "30", "RESERVATION_SWEEP_SECONDS": "0.25"])
        let settings = try ReservationSettings(settings: reader)
        #expect(settings.holdFor == .seconds(30))
        #expect(settings.sweepInterval == .milliseconds(250))
    }

    @Test(arguments: [
        ["RESERVATION_TTL_SECONDS": "0"], ["RESERVATION_TTL_SECONDS": "86401"], ["RESERVATION_SWEEP_SECONDS": "0.05"],
        ["RESERVATION_SWEEP_SECONDS": "soon"],
    ])
    func rejectsOutOfRange(_ environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try ReservationSettings(settings: SettingsReader(environment: environment)) }
    }
}
