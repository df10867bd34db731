import Foundation
import GRPCCore
import GRPCProtobuf
import Instrumentation
import InternalAPI
import Logging
import Metrics
import Tracing

/// The first interceptor of every gRPC server: the request id, the caller's deadline and trace
/// context from the metadata, a server span per RPC, a log line per RPC, and errors made safe.
///
/// - Before the service is ready (migrations, the module's preparation) an RPC is
///   `UNAVAILABLE`, except the health service's.
/// - The deadline is the caller's `grpc-timeout`, which gRPC enforces on the handler; the
///   interceptor keeps it in ``RPCCall`` so calls made on the caller's behalf get what is left.
/// - An error that is not an `RPCError` (a database failure, a bug) is this instance's own
///   failure: it reaches the caller as `UNAVAILABLE` without its text, which is logged instead,
///   so the caller's breaker counts it (as the HTTP side marks such answers with
///   ``InstanceFailure``). A ``ProblemError`` keeps its detail under the status code that
///   means the same.
public struct InboundCallInterceptor: ServerInterceptor {
    let logger: Logger
    /// The most a caller may ask for.
    let maximumBudget: Duration

    public init(logger: Logger, maximumBudget: Duration = .seconds(600)) {
        self.logger = logger
        self.maximumBudget = maximumBudget
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let started = ContinuousClock.now
        let method = context.descriptor.fullyQualifiedMethod
        let requestID = RequestIDMiddleware.acceptableID(request.metadata.first(RPCMetadataKey.requestID)) ?? UUIDv4.string()
        // Log lines carry the trace and span ids by themselves (the logging metadata provider).
        var logger = self.logger
        logger[metadataKey: "requestId"] = .string(requestID)
        logger[metadataKey: "rpc.method"] = .string(method)
        let timeout = request.metadata.first("grpc-timeout").flatMap(Self.timeout).map { min($0, self.maximumBudget) }
        if let timeout {
            // Every line logged for the call says how long its caller was willing to wait.
            logger[metadataKey: "request.deadline_ms"] =
                "\(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)"
        }
        let call = RPCCall(
            requestID: requestID,
            deadline: timeout.map { started + $0 },
            identity: nil,
            idempotencyKey: request.metadata.first(RPCMetadataKey.idempotencyKey).flatMap { $0.utf8.count <= 256 ? $0 : nil },
            credentials: nil,
            logger: logger
        )
        let isHealth = context.descriptor.service == Grpc_Health_V1_Health.descriptor
        let traceContext = Self.traceContext(request.metadata)
        return await withSpan(method, context: traceContext, ofKind: .server) { span in
            span.attributes["rpc.system"] = "grpc"
            span.attributes["rpc.method"] = context.descriptor.method
            span.attributes["rpc.service"] = context.descriptor.service.fullyQualifiedService
            let failure: any Error
            do {
                guard isHealth || StartupGate.shared.isOpen else {
                    throw RPCError(code: .unavailable, message: "The service is starting.")
                }
                let response = try await RPCCall.$current.withValue(call) { try await Self.run(next, request, context, until: call.deadline) }
                switch response.accepted {
                case .success:
                    Self.log(logger, method: method, code: .ok, started: started, isHealth: isHealth)
                    return response
                case .failure(let error):
                    // gRPC turns what the inner interceptors and the handler throw into an
                    // answer; an error it did not know is `UNKNOWN` with the original as cause.
                    failure = error.code == .unknown ? (error.cause ?? error) : error
                }
            } catch {
                failure = error
            }
            let rpcError = Self.rpcError(for: failure, logger: logger)
            span.attributes["rpc.grpc.status_code"] = rpcError.code.rawValue
            if rpcError.code.isServerFault {
                span.recordError(failure)
                span.setStatus(SpanStatus(code: .error))
            }
            Self.log(logger, method: method, code: Status.Code(rpcError.code), started: started, isHealth: isHealth)
            return StreamingServerResponse(error: rpcError)
        }
    }

    /// Runs the handler, cancelled when the caller's deadline passes (gRPC itself only tells
    /// the handler, which would otherwise work on for nobody); the caller is answered
    /// `DEADLINE_EXCEEDED` then.
    static func run<Input: Sendable, Output: Sendable>(
        _ next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>,
        _ request: StreamingServerRequest<Input>,
        _ context: ServerContext,
        until deadline: ContinuousClock.Instant?
    ) async throws -> StreamingServerResponse<Output> {
        guard let deadline else { return try await next(request, context) }
        // The group waits for both children, so `next` does not outlive this call.
        return try await withoutActuallyEscaping(next) { next in
            try await withThrowingTaskGroup(of: StreamingServerResponse<Output>.self) { group in
                group.addTask { try await next(request, context) }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    throw RPCError(code: .deadlineExceeded, message: "The caller's deadline passed before the call was done.")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else {
                    throw RPCError(code: .internalError, message: "The call ended without an answer.")
                }
                return first
            }
        }
    }

    /// A `grpc-timeout` value: up to 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).
    static func timeout(_ text: String) -> Duration? {
        guard let unit = text.last, (2...9).contains(text.utf8.count), let value = Int64(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "H": return .seconds(value * 3600)
        case "M": return .seconds(value * 60)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }

    /// The caller's trace context; a top-level one when it sent none or an invalid one.
    static func traceContext(_ metadata: Metadata) -> InstrumentationContext {
        guard let traceparent = metadata.first("traceparent"), TracePropagation.isValid(traceparent: traceparent) else {
            return .topLevel
        }
        var context = InstrumentationContext.topLevel
        InstrumentationSystem.instrument.extract(metadata, into: &context, using: MetadataExtractor())
        return context
    }

    /// What the caller is told about `error`.
    static func rpcError(for error: any Error, logger: Logger) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return RPCError(error)
        case let problem as ProblemError where problem.isInstanceFailure:
            return RPCError(code: .unavailable, message: problem.detail)
        case let problem as ProblemError where !problem.fieldErrors.isEmpty:
            // Invalid fields: INVALID_ARGUMENT with a google.rpc.BadRequest naming each one.
            let violations = problem.fieldErrors.map { ErrorDetails.BadRequest.FieldViolation(field: $0.field, description: $0.message) }
            let fields = problem.fieldErrors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
            return RPCError(
                GoogleRPCStatus(code: .invalidArgument, message: "\(problem.detail) \(fields)", details: [.badRequest(violations: violations)])
            )
        case let problem as ProblemError:
            return RPCError(code: RPCError.Code(httpStatus: Int(problem.status.code)), message: problem.detail)
        case is CancellationError:
            return RPCError(code: .cancelled, message: "The call was cancelled.")
        default:
            logger.error("rpc failed", metadata: ["error": "\(error)"])
            return RPCError(code: .unavailable, message: "The service failed to handle the call.")
        }
    }

    /// The call's log line, and its count and duration in `rpc_server_requests_total` and
    /// `rpc_server_duration_seconds` (health checks are left out of both, as probes are on HTTP).
    private static func log(_ logger: Logger, method: String, code: Status.Code, started: ContinuousClock.Instant, isHealth: Bool) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // Health checks come every few seconds from probes; they would drown the log.
        logger.log(
            level: isHealth ? .debug : .info,
            "rpc",
            metadata: ["rpc.code": "\(code.name)", "rpc.duration_ms": .stringConvertible((milliseconds * 10).rounded() / 10)]
        )
        guard !isHealth else { return }
        Counter(label: "rpc_server_requests_total", dimensions: [("method", method), ("code", code.name)]).increment()
        Metrics.Timer(label: "rpc_server_duration_seconds", dimensions: [("method", method)]).recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        )
    }

    /// Creates the series of `methods` at zero (`OK` counts and empty histograms), so
    /// dashboards and `rate()` see them before the first call.
    static func declareMetrics(methods: [MethodDescriptor]) {
        for method in methods where method.service != Grpc_Health_V1_Health.descriptor {
            Counter(label: "rpc_server_requests_total", dimensions: [("method", method.fullyQualifiedMethod), ("code", Status.Code.ok.name)])
                .increment(by: 0)
            _ = Metrics.Timer(label: "rpc_server_duration_seconds", dimensions: [("method", method.fullyQualifiedMethod)])
        }
    }
}

extension Status.Code {
    /// The code as gRPC's specification writes it (`OK`, `PERMISSION_DENIED`), for logs and
    /// the `code` label.
    var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        default: "UNKNOWN"
        }
    }
}

extension RPCError.Code {
    /// The gRPC code that means what an HTTP status means (problem documents thrown by shared
    /// code that also serves HTTP).
    init(httpStatus: Int) {
        switch httpStatus {
        case 400, 422: self = .invalidArgument
        case 401: self = .unauthenticated
        case 403: self = .permissionDenied
        case 404: self = .notFound
        case 409: self = .failedPrecondition
        case 429: self = .resourceExhausted
        case 501: self = .unimplemented
        // Not this instance's failure (that is marked): another service it needs is down.
        case 503, 504: self = .aborted
        default: self = httpStatus >= 500 ? .internalError : .unknown
        }
    }

    /// Whether the code says the server failed, rather than that it answered "no".
    var isServerFault: Bool {
        [.internalError, .unknown, .dataLoss, .unavailable, .deadlineExceeded].contains(self)
    }
}
