import Contracts
import Testing

/// Money's bounds and checked arithmetic: at the limits, one past them, and 10,000+ generated
/// cases checked against exact 128-bit arithmetic.
struct MoneyTests {
    private static let usd = "USD"

    private static func usd(_ amount: Int64) -> Money { Money(amount: amount, currency: Self.usd) }

    @Test func theLimitIsTenToTheTwelveMinorUnits() {
        #expect(Money.maximumAmount == 1_000_000_000_000)
        #expect(Self.usd(0).isWithinLimit)
        #expect(Self.usd(1_000_000_000_000).isWithinLimit)
        #expect(!Self.usd(1_000_000_000_001).isWithinLimit)
        #expect(!Self.usd(-1).isWithinLimit)
        #expect(!Self.usd(9_000_000_000_000_000_000).isWithinLimit)
    }

    @Test func addingAtAndPastTheEdgeOf64Bits() throws {
        #expect(try Self.usd(Int64.max - 1).adding(Self.usd(1)) == Self.usd(Int64.max))
        #expect(throws: MoneyError.overflow) { try Self.usd(Int64.max).adding(Self.usd(1)) }
        #expect(try Self.usd(Int64.min + 1).subtracting(Self.usd(1)) == Self.usd(Int64.min))
        #expect(throws: MoneyError.overflow) { try Self.usd(Int64.min).subtracting(Self.usd(1)) }
    }

    @Test func multiplyingTheIssuesPriceByAHundredOverflowsInsteadOfTrapping() throws {
        let price = Self.usd(9_000_000_000_000_000_000)
        #expect(throws: MoneyError.overflow) { try price.multiplied(by: 100) }
        #expect(try price.multiplied(by: 1) == price)
        #expect(try Self.usd(Int64.max).multiplied(by: -1) == Self.usd(-Int64.max))
        #expect(throws: MoneyError.overflow) { try Self.usd(Int64.min).multiplied(by: -1) }
        #expect(try Self.usd(1_000_000_000_000).multiplied(by: 1_000) == Self.usd(1_000_000_000_000_000))
    }

    @Test func currenciesDoNotMix() {
        #expect(throws: MoneyError.currencyMismatch("USD", "EUR")) { try Self.usd(1).adding(Money(amount: 1, currency: "EUR")) }
        #expect(throws: MoneyError.currencyMismatch("USD", "EUR")) { try Money.sum([Self.usd(1), Money(amount: 1, currency: "EUR")]) }
    }

    @Test func theSumOfNothingIsNothing() throws {
        #expect(try Money.sum([Money]()) == nil)
        #expect(try Money.sum([Self.usd(3), Self.usd(4)]) == Self.usd(7))
    }

    /// Amounts with the edges of 64 bits and of the limit over-represented.
    private static func amount(_ random: inout SplitMix64) -> Int64 {
        let edges: [Int64] = [
            0, 1, -1, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, Money.maximumAmount, Money.maximumAmount + 1, -Money.maximumAmount,
        ]
        switch random.next() % 4 {
        case 0: return edges[Int(random.next() % UInt64(edges.count))]
        case 1: return Int64.random(in: -1_000_000...1_000_000, using: &random)
        case 2: return Int64.random(in: Int64.min...Int64.max, using: &random)
        default: return Int64.random(in: 0...Money.maximumAmount, using: &random)
        }
    }

    private static func factor(_ random: inout SplitMix64) -> Int {
        switch random.next() % 3 {
        case 0: return [0, 1, -1, Int.max, Int.min, 1_000, 1_001][Int(random.next() % 7)]
        case 1: return Int.random(in: -2_000...2_000, using: &random)
        default: return Int.random(in: Int.min...Int.max, using: &random)
        }
    }

    /// The exact result when it fits in 64 bits, otherwise the overflow.
    private static func expected(_ exact: Int128) -> Result<Int64, MoneyError> {
        guard let value = Int64(exactly: exact) else { return .failure(.overflow) }
        return .success(value)
    }

    private static func outcome(_ body: () throws(MoneyError) -> Money) -> Result<Int64, MoneyError> {
        do {
            return .success(try body().amount)
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func arithmeticIsExactOrReportsOverflow(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var mismatches: [String] = []
        for _ in 0..<3_000 {
            let first = Self.amount(&random)
            let second = Self.amount(&random)
            let factor = Self.factor(&random)
            let sum = Self.outcome { () throws(MoneyError) -> Money in try Self.usd(first).adding(Self.usd(second)) }
            let difference = Self.outcome { () throws(MoneyError) -> Money in try Self.usd(first).subtracting(Self.usd(second)) }
            let product = Self.outcome { () throws(MoneyError) -> Money in try Self.usd(first).multiplied(by: factor) }
            if sum != Self.expected(Int128(first) + Int128(second)) { mismatches.append("\(first) + \(second) gave \(sum)") }
            if difference != Self.expected(Int128(first) - Int128(second)) { mismatches.append("\(first) - \(second) gave \(difference)") }
            if product != Self.expected(Int128(first) * Int128(factor)) { mismatches.append("\(first) × \(factor) gave \(product)") }
            if Self.usd(first).isWithinLimit != (0...1_000_000_000_000).contains(first) { mismatches.append("limit of \(first)") }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(5))")
    }

    @Test func sumsOfManyAmountsAreExactOrReportOverflow() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<1_000 {
            let amounts = (0..<Int(random.next() % 60)).map { _ in Self.usd(Self.amount(&random)) }
            var exact: Int128 = 0
            var overflowed = false
            // Overflow is reported when a running total leaves 64 bits, as the sum is computed left to right.
            for amount in amounts {
                exact += Int128(amount.amount)
                if Int64(exactly: exact) == nil { overflowed = true }
            }
            do {
                let total = try Money.sum(amounts)
                #expect(!overflowed && total?.amount == (amounts.isEmpty ? nil : Int64(exactly: exact)))
            } catch {
                #expect(overflowed && error == .overflow)
            }
        }
    }
}
