/// A request body (or a part of one) whose every string and array has a documented maximum.
///
/// ``Request/decodeJSON(as:context:)`` accepts only such types and checks the bounds right after
/// decoding, before the route does any database, Redis or hashing work: an oversize field is a 422
/// naming it. The maximums are the `maxLength` and `maxItems` of the OpenAPI document.
public protocol BoundedInput {
    /// Records each string or array over its maximum (and descends into nested inputs).
    func checkBounds(_ bounds: inout InputBounds)
}

/// Collects the fields of a request body that exceed their maximums.
///
/// Strings are measured in Unicode code points, as JSON Schema's `maxLength` counts them and as
/// PostgreSQL's `char_length` does (a grapheme count would let one "character" carry thousands of
/// combining marks).
public struct InputBounds: Sendable {
    /// The fields over their maximums so far.
    public private(set) var errors: [ProblemDetails.FieldError] = []
    /// The path of the input being checked (`items[3]`), prefixed to every field name.
    private var path: String

    /// Starts at the top of a body (or at `path`, for a nested input).
    public init(path: String = "") {
        self.path = path
    }

    /// Records `field` when the string has more than `max` code points; `nil` passes.
    public mutating func string(_ value: String?, _ field: String, max: Int) {
        guard let value, value.unicodeScalars.count > max else { return }
        self.errors.append(.init(field: self.name(field), message: "must be at most \(max) characters"))
    }

    /// Records `field` when the array has more than `max` elements; `nil` passes.
    public mutating func array<Element>(_ value: [Element]?, _ field: String, max: Int) {
        guard let value, value.count > max else { return }
        self.errors.append(.init(field: self.name(field), message: "must have at most \(max) entries"))
    }

    /// Checks an array's length and then each of its elements (only when the length passed, so a
    /// huge array costs one comparison).
    public mutating func elements<Element: BoundedInput>(_ value: [Element]?, _ field: String, max: Int) {
        guard let value else { return }
        guard value.count <= max else {
            self.array(value, field, max: max)
            return
        }
        for (index, element) in value.enumerated() {
            self.nested(element, "\(field)[\(index)]")
        }
    }

    /// Checks a nested input, its fields named under `field` (`shippingAddress.city`).
    public mutating func nested(_ value: (some BoundedInput)?, _ field: String) {
        guard let value else { return }
        var inner = InputBounds(path: self.name(field))
        value.checkBounds(&inner)
        self.errors += inner.errors
    }

    /// Throws one 422 naming every oversize field, if any.
    public func validate() throws(ProblemError) {
        if !self.errors.isEmpty { throw ProblemError.validation(self.errors) }
    }

    private func name(_ field: String) -> String {
        if self.path.isEmpty { return field }
        return field.hasPrefix("[") ? self.path + field : self.path + "." + field
    }
}

extension BoundedInput {
    /// Throws a 422 naming every field of this input over its maximum.
    public func validateBounds() throws(ProblemError) {
        var bounds = InputBounds()
        self.checkBounds(&bounds)
        try bounds.validate()
    }
}
