import HTTPTypes
import NIOHTTP1

/// How a service tells its callers that an error answer is a failure of the instance itself
/// (an unexpected error, its database gone, shutting down) rather than an answer about the
/// request or about another service it depends on.
///
/// Circuit breakers measure the health of an instance, never the outcome of a business
/// operation: a caller's breaker counts transport errors, timeouts and answers carrying this
/// header, and nothing else. A declined card, out of stock, any 4xx, or a 503 because *another*
/// service is down leaves the breaker alone.
public enum InstanceFailure {
    /// The response header that marks an answer as the instance's own failure.
    public static let headerName = "Instance-Failure"
    /// The field name, for Hummingbird's `HTTPFields`.
    public static let fieldName = HTTPField.Name(headerName)

    /// Whether an answer's headers mark it as the callee instance's own failure.
    public static func isMarked(_ headers: HTTPHeaders) -> Bool {
        headers.first(name: self.headerName) != nil
    }
}

extension ProblemError {
    /// The same problem, marked as a failure of this instance (see ``InstanceFailure``).
    public var markedAsInstanceFailure: Self {
        var marked = self
        if let name = InstanceFailure.fieldName { marked.headers[name] = "true" }
        return marked
    }

    /// Whether this problem is marked as a failure of this instance.
    public var isInstanceFailure: Bool {
        InstanceFailure.fieldName.map { self.headers[$0] != nil } ?? false
    }
}
