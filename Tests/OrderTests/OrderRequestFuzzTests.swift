import Foundation
import ServiceKit
import Testing

@testable import OrderService

/// The decoder of `POST /v1/orders` bodies over generated and mutated JSON: huge numbers,
/// fractions, negatives, missing fields, wrong types, deep nesting, truncation. Each body is
/// either a valid request within the bounds or a 400/422 problem; nothing traps.
struct OrderRequestFuzzTests {
    /// A JSON document written by hand, so numbers can be any text at all.
    indirect enum JSON {
        case raw(String)
        case array([JSON])
        case object([(String, JSON)])

        var text: String {
            switch self {
            case .raw(let text): text
            case .array(let items): "[" + items.map(\.text).joined(separator: ",") + "]"
            case .object(let members): "{" + members.map { "\"\($0.0)\":\($0.1.text)" }.joined(separator: ",") + "}"
            }
        }

        static func string(_ text: String) -> JSON { .raw("\"\(text)\"") }
    }

    /// Numbers, many of which fit no `Int`, or fit and break a bound.
    private static let numbers = [
        "0", "1", "-1", "-0", "1000", "1001", "1.5", "1.0", "2.50", "1e3", "1E3", "1e-3", "1e308", "1e400", "-1e400",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999999", "0.0000000000000000000001", "01", "+1", ".5", "5.", "0x10", "NaN", "Infinity", "1_000",
    ]

    /// A random UUID-looking string: a real one, garbage, or empty.
    private static func identifier(_ random: inout SplitMix64) -> JSON {
        switch random.next() % 8 {
        case 0: .string("not-a-uuid")
        case 1: .string("")
        case 2: .raw("12345")
        default: .string(UUID(uuid: Self.bytes(&random)).uuidString)
        }
    }

    private static func bytes(_ random: inout SplitMix64) -> uuid_t {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { buffer in
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: random.next()) }
        }
        return value
    }

    private static func quantity(_ random: inout SplitMix64) -> JSON {
        switch random.next() % 6 {
        case 0: .raw(Self.numbers[Int(random.next() % UInt64(Self.numbers.count))])
        case 1: .raw(String(Int64(bitPattern: random.next())))
        case 2: .raw(String(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)))
        default: .raw(String(Int.random(in: 1...1_000, using: &random)))
        }
    }

    private static func item(_ random: inout SplitMix64) -> JSON {
        .object([("productId", Self.identifier(&random)), ("quantity", Self.quantity(&random))])
    }

    private static func address(_ random: inout SplitMix64) -> JSON {
        var members: [(String, JSON)] = [
            ("line1", .string("1 High St")), ("city", .string("London")), ("postalCode", .string("SW1A 1AA")), ("country", .string("GB")),
        ]
        if random.next() % 2 == 0 { members.append(("label", .string("Home"))) }
        return .object(members)
    }

    /// A body, valid most of the time before ``mutate(_:_:)``.
    private static func body(_ random: inout SplitMix64) -> JSON {
        let count = random.next() % 8 == 0 ? Int(random.next() % 60) : 1 + Int(random.next() % 3)
        let items = (0..<count).map { _ in Self.item(&random) }
        return .object([("items", .array(items)), ("paymentMethodId", .string(UUID().uuidString)), ("shippingAddress", Self.address(&random))])
    }

    /// A value of another kind than expected.
    private static func stranger(_ random: inout SplitMix64) -> JSON {
        switch random.next() % 7 {
        case 0: .raw("null")
        case 1: .raw("true")
        case 2: .string("7")
        case 3: .array([.raw("1")])
        case 4: .object([("amount", .raw("1"))])
        case 5: .raw(String(repeating: "[", count: 1 + Int(random.next() % 2_000)) + String(repeating: "]", count: 0))
        default:
            .raw(String(repeating: "[", count: Int(random.next() % 700)) + "1.5" + String(repeating: "]", count: Int(random.next() % 700)))
        }
    }

    /// Replaces, removes or corrupts something somewhere in `json`.
    private static func mutate(_ json: JSON, _ random: inout SplitMix64) -> JSON {
        switch json {
        case .object(var members) where !members.isEmpty:
            let index = Int(random.next() % UInt64(members.count))
            switch random.next() % 5 {
            case 0: members.remove(at: index)
            case 1: members[index].1 = Self.stranger(&random)
            case 2: members.append(("unknown\(random.next() % 10)", Self.stranger(&random)))
            default: members[index].1 = Self.mutate(members[index].1, &random)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty:
            let index = Int(random.next() % UInt64(items.count))
            switch random.next() % 4 {
            case 0: items.remove(at: index)
            case 1: items.append(items[index])
            default: items[index] = Self.mutate(items[index], &random)
            }
            return .array(items)
        default:
            return random.next() % 2 == 0 ? Self.stranger(&random) : Self.quantity(&random)
        }
    }

    /// The body's bytes, sometimes cut short or with one byte changed.
    private static func bytes(of json: JSON, _ random: inout SplitMix64) -> Data {
        var bytes = Array(json.text.utf8)
        switch random.next() % 10 {
        case 0 where !bytes.isEmpty: bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
        case 1 where !bytes.isEmpty: bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next() % 128)
        default: break
        }
        return Data(bytes)
    }

    private enum Outcome: Hashable {
        case accepted, badRequest, invalid
    }

    /// What the route does with a body: decode, then validate.
    private static func outcome(of data: Data) throws -> Outcome {
        do {
            let request = try JSONBody.decode(OrderRequest.self, from: data)
            try request.validate()
            #expect(OrderRequest.lineCount.contains(request.items.count))
            #expect(request.items.allSatisfy { OrderRequest.quantity.contains($0.quantity) })
            #expect(Set(request.items.map(\.productId)).count == request.items.count)
            return .accepted
        } catch let problem as ProblemError where problem.status == .badRequest {
            return .badRequest
        } catch let problem as ProblemError where problem.status == .unprocessableContent && !problem.fieldErrors.isEmpty {
            return .invalid
        }
    }

    @Test(arguments: [UInt64(7), 8])
    func generatedBodiesDecodeOrAreRefused(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var tally: [Outcome: Int] = [:]
        for _ in 0..<6_000 {
            var json = Self.body(&random)
            let mutations = random.next() % 2 == 0 ? 0 : 1 + Int(random.next() % 3)
            for _ in 0..<mutations { json = Self.mutate(json, &random) }
            let data = Self.bytes(of: json, &random)
            do {
                tally[try Self.outcome(of: data), default: 0] += 1
            } catch {
                Issue.record("seed \(seed): \(String(decoding: data.prefix(300), as: UTF8.self)) threw \(error)")
                return
            }
        }
        // Every kind of outcome is exercised, so the generator is not testing only one path.
        for outcome in [Outcome.accepted, .badRequest, .invalid] {
            #expect((tally[outcome] ?? 0) >= 100, "seed \(seed): \(tally)")
        }
    }

    @Test(arguments: ["1.5", "0.5", "1e30", "99999999999999999999", "-9223372036854775809"])
    func aQuantityThatFitsNoIntegerNamesTheLine(quantity: String) throws {
        let body = JSON.object([
            (
                "items",
                .array([
                    .object([("productId", .string(UUID().uuidString)), ("quantity", .raw("2"))]),
                    .object([("productId", .string(UUID().uuidString)), ("quantity", .raw(quantity))]),
                ])
            ),
            ("paymentMethodId", .string(UUID().uuidString)),
            (
                "shippingAddress",
                .object([("line1", .string("1 High St")), ("city", .string("London")), ("postalCode", .string("N1")), ("country", .string("GB"))])
            ),
        ])
        do {
            _ = try JSONBody.decode(OrderRequest.self, from: Data(body.text.utf8))
            Issue.record("\(quantity) was accepted")
        } catch {
            #expect(error.status == .unprocessableContent)
            #expect(error.fieldErrors.map(\.field) == ["items[1].quantity"], "\(error.fieldErrors)")
        }
    }

    @Test func quantitiesAtAndPastTheirBounds() throws {
        func fields(_ quantity: Int, lines: Int = 1) -> [String] {
            let request = OrderRequest(
                items: (1...lines).map { .init(productId: OrderFixture.uuid($0), quantity: quantity) },
                paymentMethodId: OrderFixture.paymentMethodId,
                shippingAddress: OrderFixture.address
            )
            do {
                try request.validate()
                return []
            } catch let problem as ProblemError {
                return problem.fieldErrors.map(\.field)
            } catch {
                return ["\(error)"]
            }
        }
        #expect(fields(1_000) == [])
        #expect(fields(1_001) == ["items[0].quantity"])
        #expect(fields(1) == [])
        #expect(fields(0) == ["items[0].quantity"])
        #expect(fields(Int.max) == ["items[0].quantity"])
        #expect(fields(Int.min) == ["items[0].quantity"])
        #expect(fields(1, lines: 50) == [])
        #expect(fields(1, lines: 51) == ["items"])
    }
}
