import Contracts
import Foundation

/// Reads a request body as JSON into a `Decodable` type, turning every failure into a problem:
/// 400 when the body is not JSON (or not an object where one is expected), 422 naming the
/// field when a field is missing, null, of the wrong type, or a number its type cannot hold.
///
/// Foundation's decoder reports a number that does not fit an integer field (`1.5`, `1e30`,
/// `99999999999999999999`) as "not valid JSON" with no field. When that happens to a body that
/// is valid JSON, ``decode(_:from:)`` finds the field: it decodes again with such numbers
/// written as strings, so the field that wanted an integer reports a type mismatch at its path.
public enum JSONBody {
    /// The most re-decodes spent finding the field of a number that fits no integer; beyond
    /// it, the answer is a 422 without a field name.
    static let searchLimit = 16

    /// `Value` decoded from `data` with ``WireJSON``, or the problem that says what is wrong.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws(ProblemError) -> Value {
        guard !data.isEmpty else {
            throw ProblemError.badRequest("The request body is empty; a JSON object is expected.")
        }
        do {
            return try WireJSON.decoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let tree = try? WireJSON.decoder().decode(JSONValue.self, from: data)
            {
                throw Self.locateUnfitNumber(Value.self, in: tree)
            }
            throw Self.problem(for: error)
        } catch {
            throw ProblemError.badRequest("The body could not be decoded.")
        }
    }

    /// The problem of a decoding error (the caller's own `init(from:)` may throw these too).
    public static func problem(for error: DecodingError) -> ProblemError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("The body is not valid JSON: \(Self.reason(context.underlyingError))")
        case .dataCorrupted(let context):
            return .validation([.init(field: Self.field(context.codingPath), message: context.debugDescription)])
        case .keyNotFound(let key, let context):
            return .validation([.init(field: Self.field(context.codingPath + [key]), message: "is required")])
        case .typeMismatch(let expected, let context):
            let name = Self.field(context.codingPath)
            if name.isEmpty { return .badRequest("The body must be a JSON object.") }
            return .validation([.init(field: name, message: "must be \(Self.describe(expected))")])
        case .valueNotFound(let expected, let context):
            return .validation([.init(field: Self.field(context.codingPath), message: "must be \(Self.describe(expected)), not null")])
        @unknown default:
            return .badRequest("The body could not be decoded.")
        }
    }

    /// The 422 for a valid JSON body that failed because a number fits no integer field: each
    /// round writes the numbers `Int64` cannot hold as strings and decodes again; a type
    /// mismatch at one of them names the field, unless that field wanted a floating-point
    /// number (then the number is put back and the search goes on).
    private static func locateUnfitNumber<Value: Decodable>(_ type: Value.Type, in tree: JSONValue) -> ProblemError {
        var keep: Set<String> = []
        for _ in 0..<Self.searchLimit {
            var candidates: [String: Double] = [:]
            let probe = Self.stringifyingUnfitNumbers(tree, path: "", keeping: keep, into: &candidates)
            guard !candidates.isEmpty, let data = try? WireJSON.encoder().encode(probe) else { break }
            do {
                _ = try WireJSON.decoder().decode(Value.self, from: data)
                break
            } catch DecodingError.typeMismatch(let expected, let context) {
                let name = Self.field(context.codingPath)
                guard let number = candidates[name] else { return Self.problem(for: .typeMismatch(expected, context)) }
                if expected is Double.Type || expected is Float.Type {
                    keep.insert(name)
                    continue
                }
                let message =
                    number.rounded(.towardZero) == number
                    ? "is too large; it must be \(Self.describe(expected))" : "must be \(Self.describe(expected)), not a fraction"
                return .validation([.init(field: name, message: message)])
            } catch let error as DecodingError {
                return Self.problem(for: error)
            } catch {
                break
            }
        }
        return .validation([.init(field: "", message: "A number is not an integer or is too large for its field.")])
    }

    /// `value` with every number that is not an `Int64` written as a string (except at the
    /// paths in `keep`); `candidates` gets each such path and its number.
    private static func stringifyingUnfitNumbers(
        _ value: JSONValue,
        path: String,
        keeping keep: Set<String>,
        into candidates: inout [String: Double]
    ) -> JSONValue {
        switch value {
        case .number(let number) where !keep.contains(path):
            candidates[path] = number
            return .string(String(number))
        case .array(let items):
            return .array(
                items.enumerated().map { index, item in
                    Self.stringifyingUnfitNumbers(item, path: path + "[\(index)]", keeping: keep, into: &candidates)
                }
            )
        case .object(let members):
            var object: [String: JSONValue] = [:]
            for (key, member) in members {
                object[key] = Self.stringifyingUnfitNumbers(member, path: path.isEmpty ? key : path + "." + key, keeping: keep, into: &candidates)
            }
            return .object(object)
        default:
            return value
        }
    }

    /// A coding path as API clients write it: `items[0].quantity`.
    static func field(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .reduce(into: "") { result, part in
                result += part.hasPrefix("[") || result.isEmpty ? part : "." + part
            }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is Int8.Type: "an integer"
        case is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type, is UInt8.Type: "a non-negative integer"
        case is Bool.Type: "a boolean"
        case is Double.Type, is Float.Type: "a number"
        default: "a valid value"
        }
    }

    /// The parser's own account of where the JSON went wrong, when it gives one.
    private static func reason(_ error: (any Error)?) -> String {
        guard let error else { return "it is malformed." }
        let nsError = error as NSError
        if let description = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return description }
        let text = String(describing: error)
        return text.count <= 200 ? "malformed JSON (\(text))." : "it is malformed."
    }
}
