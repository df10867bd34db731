import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context of every service: Hummingbird's core storage plus what ServiceKit's
/// middleware learns about the request.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-ID` of this request (accepted from the caller or generated).
    public var requestID: String
    /// The peer that opened the connection.
    public let remoteAddress: SocketAddress?
    /// The client's address as ``ClientAddressMiddleware`` derived it (canonical text); `nil`
    /// before that middleware ran. Read it through ``Request/clientAddress(context:)``.
    public var clientAddress: String?
    /// The caller, when the request carried a valid access token.
    public var identity: Identity?
    /// When the caller stops waiting (from `X-Request-Deadline-Ms`, or set by the gateway).
    public var deadline: ContinuousClock.Instant?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = nil
        self.identity = nil
        self.deadline = nil
    }

    /// ``BodyLimitMiddleware`` enforces the configured limit on every body, streamed or decoded.
    public var maxUploadSize: Int { Int.max }

    /// The headers a call to another service must carry to continue this request.
    public var propagationHeaders: PropagationHeaders {
        PropagationHeaders(requestID: self.requestID, deadline: self.deadline)
    }
}

/// Correlation headers forwarded on every outbound call. The trace travels by itself: the
/// HTTP client injects the active span's `traceparent`.
public struct PropagationHeaders: Sendable {
    public var requestID: String
    /// When the request's time budget runs out; calls downstream get what is left of it.
    public var deadline: ContinuousClock.Instant?

    public init(requestID: String, deadline: ContinuousClock.Instant? = nil) {
        self.requestID = requestID
        self.deadline = deadline
    }
}

extension ServiceRequestContext {
    /// The UUID in path parameter `name`; a missing or malformed one is a 404 (`detail`), as
    /// a resource with such an id cannot exist.
    public func resourceID(_ name: String = "id", notFound detail: String) throws -> UUID {
        guard let id = self.parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw ProblemError.notFound(detail) }
        return id
    }
}

extension Request {
    /// The client's IP address, for rate limits, throttles and logs: what
    /// ``ClientAddressMiddleware`` derived (at the gateway from `X-Forwarded-For` across
    /// `TRUSTED_PROXIES`; behind it from `X-Client-Address`, believed only with a valid gateway
    /// token), else this connection's peer. Never a header a caller can choose by itself.
    public func clientAddress(context: ServiceRequestContext) -> String {
        context.clientAddress ?? context.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`.
    public static var xForwardedFor: Self { .init("X-Forwarded-For")! }
}
