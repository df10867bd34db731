import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// An OTLP/HTTP trace receiver on 127.0.0.1 inside the test process (a collector stand-in):
/// `POST /v1/traces` with a protobuf `ExportTraceServiceRequest`, as the services' exporters send
/// it. Keeps every span decoded; a body that does not decode is kept as an error.
final class OTLPReceiver: Sendable {
    let port: Int
    private let store = Store()
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// What the receiver's handler and the tests share.
    private final class Store: Sendable {
        struct State {
            var spans: [ReceivedSpan] = []
            var errors: [String] = []
        }

        let state = Mutex(State())
    }

    /// The endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    var endpoint: String { "http://127.0.0.1:\(self.port)" }

    init() throws {
        let port = try Ports.freePort()
        self.port = port
        let store = self.store
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            do {
                let spans = try OTLPSpanDecoder.spans(in: Array(body.readableBytesView))
                store.state.withLock { $0.spans += spans }
            } catch {
                store.state.withLock { $0.errors.append("\(error)") }
                return Response(status: .badRequest)
            }
            // An empty ExportTraceServiceResponse.
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .warning
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        self.group = group
        self.task = Task { try await group.run() }
    }

    /// Every span received so far.
    var spans: [ReceivedSpan] { self.store.state.withLock { $0.spans } }

    /// Bodies that did not decode.
    var errors: [String] { self.store.state.withLock { $0.errors } }

    /// The spans of `traceID` once `complete` holds for them, or what there is after `timeout`.
    func awaitTrace(_ traceID: String, timeout: Duration, until complete: ([ReceivedSpan]) -> Bool) async -> [ReceivedSpan] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let spans = self.spans.filter { $0.traceID == traceID }
            if complete(spans) || ContinuousClock.now >= deadline { return spans }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.task.value
    }
}
