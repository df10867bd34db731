import GRPCCore
import GRPCProtobuf

/// A gRPC status other than OK that a callee answered on purpose, with the reason of its
/// `google.rpc.ErrorInfo` detail when it sent one (`OUT_OF_STOCK`, ...).
public struct RPCRejection: Sendable, Equatable, CustomStringConvertible {
    public var code: RPCError.Code
    public var message: String
    /// The `ErrorInfo` reason, when the callee gave one.
    public var reason: String?
    /// The `ErrorInfo` metadata, when the callee gave one.
    public var details: [String: String]

    public init(code: RPCError.Code, message: String, reason: String? = nil, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.reason = reason
        self.details = details
    }

    /// Reads the status and its `google.rpc.Status` details (in `grpc-status-details-bin`).
    init(_ error: RPCError) {
        self.code = error.code
        self.message = error.message
        let info = (try? error.unpackGoogleRPCStatus())?.details.lazy.compactMap(\.errorInfo).first
        self.reason = info?.reason
        self.details = info?.metadata ?? [:]
    }

    public var description: String {
        "\(self.code)\(self.reason.map { " (\($0))" } ?? ""): \(self.message)"
    }

    /// The problem a caller's HTTP API answers when the rejection reaches it.
    func asProblem(service: String) -> ProblemError {
        switch self.code {
        case .notFound: .notFound(self.message)
        case .invalidArgument, .outOfRange: ProblemError.validation([.init(field: "", message: self.message)])
        case .failedPrecondition, .alreadyExists, .aborted: .conflict(self.message)
        case .resourceExhausted: .unavailable("The \(service) service is busy. Try again shortly.", retryAfterSeconds: 1)
        // This service's own token or scope was refused: a deployment fault, not the client's.
        default: .badGateway("The \(service) service refused the call (\(self.code)).")
        }
    }
}

/// Builds the `RPCError` a handler throws for a domain answer, with a `google.rpc.ErrorInfo`
/// detail naming the reason.
public func domainError(_ code: RPCError.Code, reason: String, domain: String, message: String, metadata: [String: String] = [:]) -> GoogleRPCStatus {
    GoogleRPCStatus(code: code, message: message, details: [.errorInfo(reason: reason, domain: domain, metadata: metadata)])
}
