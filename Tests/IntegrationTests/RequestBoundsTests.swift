import Foundation
import Testing

extension ShopStackSuite {
    /// Every string and array of every request body has a documented maximum (`maxLength`,
    /// `maxItems` in openapi.json), and the services enforce exactly those: one over is a 422
    /// naming the field before any work, at the maximum is never refused for its length.
    ///
    /// The cases are generated from the spec file: for each bounded field of each body, a body of
    /// the right shape with that field one over its maximum, and one with it at its maximum and
    /// another field over (so that nothing is stored), or alone when the body has no other.
    @Suite("Request bounds")
    struct RequestBoundsTests {
        /// One step into a JSON value: a member or the first element.
        enum Step: Hashable, CustomStringConvertible {
            case member(String)
            case element

            var description: String {
                switch self {
                case .member(let name): name
                case .element: "[0]"
                }
            }
        }

        /// A field with a maximum.
        struct Bounded: CustomStringConvertible {
            let path: [Step]
            /// `maxLength` of a string, `maxItems` of an array.
            let maximum: Int
            let isArray: Bool
            /// The schema of an array's elements.
            let elementSchema: [String: Any]?

            /// The name the services give the field in `errors[]`: `addresses[0].label`.
            var field: String {
                self.path.reduce(into: "") { name, step in
                    switch step {
                    case .element: name += "[0]"
                    case .member(let member): name += name.isEmpty ? member : "." + member
                    }
                }
            }

            var description: String { "\(self.field) (\(self.isArray ? "maxItems" : "maxLength") \(self.maximum))" }
        }

        /// An operation with a JSON request body.
        struct Operation {
            let method: RequestMethod
            let path: String
            let auth: String
            let schema: [String: Any]
        }

        static func specification() throws -> [String: Any] {
            let file = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Services/api-gateway/openapi.json")
            guard let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] else {
                throw HarnessError("\(file.path) is not a JSON object")
            }
            return document
        }

        /// `$ref`s followed and `allOf` members merged.
        static func resolve(_ schema: [String: Any], in document: [String: Any]) -> [String: Any] {
            var schema = schema
            if let reference = schema["$ref"] as? String {
                let name = reference.split(separator: "/").last.map(String.init) ?? ""
                let components = document["components"] as? [String: Any]
                let target = (components?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
                schema.removeValue(forKey: "$ref")
                schema = Self.resolve(target, in: document).merging(schema) { $1 }
            }
            if let parts = schema["allOf"] as? [[String: Any]] {
                schema.removeValue(forKey: "allOf")
                for part in parts {
                    let resolved = Self.resolve(part, in: document)
                    let properties = (resolved["properties"] as? [String: Any] ?? [:]).merging(schema["properties"] as? [String: Any] ?? [:]) {
                        ($0 as? [String: Any] ?? [:]).merging($1 as? [String: Any] ?? [:]) { $1 }
                    }
                    schema = resolved.merging(schema) { $1 }
                    schema["properties"] = properties
                }
            }
            return schema
        }

        static func type(of schema: [String: Any]) -> String {
            if let type = schema["type"] as? String { return type }
            return (schema["type"] as? [String])?.first { $0 != "null" } ?? "object"
        }

        static func operations(_ document: [String: Any]) -> [Operation] {
            var operations: [Operation] = []
            for (path, item) in document["paths"] as? [String: Any] ?? [:] {
                for (method, value) in item as? [String: Any] ?? [:] {
                    guard let operation = value as? [String: Any], let requestMethod = RequestMethod(rawValue: method.uppercased()),
                        let body = operation["requestBody"] as? [String: Any],
                        let json = (body["content"] as? [String: Any])?["application/json"] as? [String: Any],
                        let schema = json["schema"] as? [String: Any]
                    else { continue }
                    operations.append(
                        Operation(
                            method: requestMethod,
                            path: path,
                            auth: operation["x-auth"] as? String ?? "public",
                            schema: Self.resolve(schema, in: document)
                        )
                    )
                }
            }
            return operations.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
        }

        /// The bounded fields under `schema`; every string (except UUIDs) or array without a
        /// maximum is recorded in `unbounded`.
        static func boundedFields(
            _ schema: [String: Any],
            at path: [Step] = [],
            in document: [String: Any],
            unbounded: inout [String]
        ) -> [Bounded] {
            let schema = Self.resolve(schema, in: document)
            switch Self.type(of: schema) {
            case "string":
                if schema["format"] as? String == "uuid" { return [] }
                guard let maximum = schema["maxLength"] as? Int else {
                    unbounded.append(Bounded(path: path, maximum: 0, isArray: false, elementSchema: nil).field)
                    return []
                }
                return [Bounded(path: path, maximum: maximum, isArray: false, elementSchema: nil)]
            case "array":
                let items = Self.resolve(schema["items"] as? [String: Any] ?? [:], in: document)
                var fields: [Bounded] = []
                if let maximum = schema["maxItems"] as? Int {
                    fields.append(Bounded(path: path, maximum: maximum, isArray: true, elementSchema: items))
                } else {
                    unbounded.append(Bounded(path: path, maximum: 0, isArray: true, elementSchema: nil).field)
                }
                return fields + Self.boundedFields(items, at: path + [.element], in: document, unbounded: &unbounded)
            case "object":
                let properties = schema["properties"] as? [String: Any] ?? [:]
                return properties.keys.sorted().flatMap { name in
                    Self.boundedFields(properties[name] as? [String: Any] ?? [:], at: path + [.member(name)], in: document, unbounded: &unbounded)
                }
            default:
                return []
            }
        }

        /// A value of the schema's shape, every property present (its content need not be valid).
        static func sample(_ schema: [String: Any], in document: [String: Any]) -> Any {
            let schema = Self.resolve(schema, in: document)
            switch Self.type(of: schema) {
            case "string":
                return schema["format"] as? String == "uuid" ? UUID().uuidString.lowercased() : "x"
            case "integer":
                return schema["minimum"] as? Int ?? 1
            case "number":
                return 1
            case "boolean":
                return true
            case "array":
                return [Self.sample(schema["items"] as? [String: Any] ?? [:], in: document)]
            default:
                var object: [String: Any] = [:]
                for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                    object[name] = Self.sample(property as? [String: Any] ?? [:], in: document)
                }
                return object
            }
        }

        /// `value` with the field at `path` replaced.
        static func replacing(_ path: ArraySlice<Step>, in value: Any, with replacement: Any) -> Any {
            guard let step = path.first else { return replacement }
            switch step {
            case .member(let name):
                var object = value as? [String: Any] ?? [:]
                object[name] = Self.replacing(path.dropFirst(), in: object[name] ?? [:], with: replacement)
                return object
            case .element:
                var array = value as? [Any] ?? []
                if array.isEmpty { array = [[String: Any]()] }
                array[0] = Self.replacing(path.dropFirst(), in: array[0], with: replacement)
                return array
            }
        }

        /// The field's value with `count` characters or elements.
        static func filler(_ field: Bounded, count: Int, in document: [String: Any]) -> Any {
            if field.isArray {
                return (0..<count).map { _ in Self.sample(field.elementSchema ?? [:], in: document) }
            }
            return String(repeating: "a", count: count)
        }

        @Test("Every string and array of every request body in openapi.json has a maximum")
        func everyFieldIsBounded() throws {
            let document = try Self.specification()
            let operations = Self.operations(document)
            #expect(operations.count >= 10, "request bodies found: \(operations.map { "\($0.method) \($0.path)" })")
            for operation in operations {
                var unbounded: [String] = []
                _ = Self.boundedFields(operation.schema, in: document, unbounded: &unbounded)
                #expect(unbounded.isEmpty, "\(operation.method) \(operation.path): no maxLength/maxItems on \(unbounded)")
            }
        }

        @Test("One over a documented maximum is a 422 naming the field; at the maximum it is never refused for its length")
        func theServicesEnforceExactlyTheDocumentedMaximums() async throws {
            let stack = try Stack.require()
            let document = try Self.specification()
            let customer = try await Session.register(stack)
            let admin = try await Session.admin(stack)
            var checked = 0
            for operation in Self.operations(document) {
                var unbounded: [String] = []
                let fields = Self.boundedFields(operation.schema, in: document, unbounded: &unbounded)
                let path = operation.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: UUID().uuidString.lowercased(), options: .regularExpression)
                let token: String? =
                    switch operation.auth {
                    case "admin": admin.accessToken
                    case "public": nil
                    default: customer.accessToken
                    }
                func send(_ body: Any) async throws -> HTTPResult {
                    try await stack.http.send(
                        operation.method,
                        stack.url(path),
                        json: try canonicalJSON(body),
                        headers: token.map { [bearer($0)] } ?? []
                    )
                }
                let base = Self.sample(operation.schema, in: document)
                for field in fields {
                    let name = "\(operation.method) \(operation.path) \(field)"
                    let over = try await send(
                        Self.replacing(field.path[...], in: base, with: Self.filler(field, count: field.maximum + 1, in: document))
                    )
                    #expect(over.status == 422, "\(name), one over: \(over.status) \(over.text.prefix(300))")
                    let overErrors = (try? over.jsonObject())?["errors"] as? [[String: Any]] ?? []
                    #expect(overErrors.contains { $0["field"] as? String == field.field }, "\(name), one over: \(over.text.prefix(300))")

                    // At the maximum, with some other field over its own so that nothing is done.
                    var atMaximum = Self.replacing(field.path[...], in: base, with: Self.filler(field, count: field.maximum, in: document))
                    if let other = fields.first(where: { !$0.field.hasPrefix(field.field) && !field.field.hasPrefix($0.field) }) {
                        atMaximum = Self.replacing(other.path[...], in: atMaximum, with: Self.filler(other, count: other.maximum + 1, in: document))
                    }
                    let at = try await send(atMaximum)
                    #expect(at.status < 500, "\(name), at the maximum: \(at.status) \(at.text.prefix(300))")
                    let atErrors = (try? at.jsonObject())?["errors"] as? [[String: Any]] ?? []
                    let refused = atErrors.filter { $0["field"] as? String == field.field && ($0["message"] as? String ?? "").contains("at most") }
                    #expect(refused.isEmpty, "\(name), at the maximum, refused for its length: \(at.text.prefix(300))")
                    checked += 1
                }
            }
            #expect(checked >= 30, "bounded fields checked: \(checked)")
        }
    }
}
