import Contracts
import Foundation
import ServiceKit
import Testing

@testable import OrderService

/// An order's total: checked arithmetic and the 10^12 bound, never a trap.
struct OrderPricingTests {
    private static func line(_ number: Int, price: Int64, quantity: Int, currency: String = "USD") -> OrderLine {
        OrderLine(productId: OrderFixture.uuid(number), name: "P\(number)", quantity: quantity, unitPrice: Money(amount: price, currency: currency))
    }

    /// The fields of the 422 `lines` get, or `[]` when they are priced.
    private static func invalidFields(_ lines: [OrderLine]) -> [String] {
        do {
            _ = try OrderPricing.total(of: lines)
            return []
        } catch {
            #expect(error.status == .unprocessableContent)
            return error.fieldErrors.map(\.field)
        }
    }

    @Test func theTotalIsTheSumOfPriceTimesQuantity() throws {
        let total = try OrderPricing.total(of: [Self.line(1, price: 999, quantity: 2), Self.line(2, price: 1499, quantity: 1)])
        #expect(total == Money(amount: 3497, currency: "USD"))
    }

    @Test func aTotalOfExactlyTenToTheTwelveIsAccepted() throws {
        #expect(try OrderPricing.total(of: [Self.line(1, price: Money.maximumAmount, quantity: 1)]).amount == Money.maximumAmount)
        let split = [Self.line(1, price: 999_999_999_999, quantity: 1), Self.line(2, price: 1, quantity: 1)]
        #expect(try OrderPricing.total(of: split).amount == Money.maximumAmount)
        #expect(try OrderPricing.total(of: [Self.line(1, price: 1_000_000_000, quantity: 1_000)]).amount == Money.maximumAmount)
    }

    @Test func oneMinorUnitMoreIsRefused() {
        #expect(Self.invalidFields([Self.line(1, price: Money.maximumAmount, quantity: 1), Self.line(2, price: 1, quantity: 1)]) == ["items"])
        #expect(Self.invalidFields([Self.line(1, price: Money.maximumAmount, quantity: 2)]) == ["items"])
        #expect(Self.invalidFields([Self.line(1, price: 1_000_000_001, quantity: 1_000)]) == ["items"])
    }

    @Test func theIssuesOrderOfAHundredAtNineQuintillionIsA422NotATrap() {
        // A price stored before prices were bounded: the line names the product.
        #expect(Self.invalidFields([Self.line(1, price: 9_000_000_000_000_000_000, quantity: 100)]) == ["items[0].productId"])
    }

    @Test func linesThatOverflow64BitsTogetherAreA422() {
        let lines = (1...50).map { Self.line($0, price: Money.maximumAmount, quantity: 1_000) }
        #expect(Self.invalidFields(lines) == ["items"])
        let huge = [Self.line(1, price: Money.maximumAmount, quantity: Int.max)]
        #expect(Self.invalidFields(huge) == ["items"])
    }

    @Test func mixedCurrenciesAndNoLinesAreRefused() {
        #expect(Self.invalidFields([Self.line(1, price: 1, quantity: 1), Self.line(2, price: 1, quantity: 1, currency: "EUR")]) == ["items"])
        #expect(Self.invalidFields([]) == ["items"])
    }

    /// 10,000 orders of generated lines (prices and quantities anywhere in 64 bits): each is
    /// either the exact total within the bound or a 422.
    @Test func generatedOrdersArePricedExactlyOrRefused() {
        var random = SplitMix64(seed: 0x0DE5)
        var wrong: [String] = []
        for _ in 0..<10_000 {
            let count = Int(random.next() % 60)
            let lines = (0..<count).map { index in
                Self.line(index, price: Self.price(&random), quantity: Self.quantity(&random))
            }
            var exact: Int128 = 0
            var withinInputs = true
            for line in lines {
                // Every term is at most 2^126 and non-negative: stop adding once past the bound.
                if exact <= Int128(Money.maximumAmount) { exact += Int128(line.unitPrice.amount) * Int128(line.quantity) }
                withinInputs = withinInputs && line.unitPrice.isWithinLimit
            }
            let expectTotal = !lines.isEmpty && withinInputs && (0...Int128(Money.maximumAmount)).contains(exact)
            do {
                let total = try OrderPricing.total(of: lines)
                if !expectTotal || Int128(total.amount) != exact { wrong.append("\(lines.map { ($0.unitPrice.amount, $0.quantity) }) → \(total)") }
            } catch {
                if expectTotal || error.status != .unprocessableContent {
                    wrong.append("\(lines.map { ($0.unitPrice.amount, $0.quantity) }) → \(error)")
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, e.g. \(wrong.prefix(3))")
    }

    private static func price(_ random: inout SplitMix64) -> Int64 {
        switch random.next() % 4 {
        case 0: [0, 1, Money.maximumAmount, Money.maximumAmount + 1, Int64.max, 9_000_000_000_000_000_000][Int(random.next() % 6)]
        case 1: Int64.random(in: 0...100_000, using: &random)
        case 2: Int64.random(in: 0...Money.maximumAmount, using: &random)
        default: Int64.random(in: 0...Int64.max, using: &random)
        }
    }

    private static func quantity(_ random: inout SplitMix64) -> Int {
        switch random.next() % 3 {
        case 0: [1, 1_000, 1_001, Int.max][Int(random.next() % 4)]
        case 1: Int.random(in: 1...1_000, using: &random)
        default: Int.random(in: 1...Int.max, using: &random)
        }
    }
}
