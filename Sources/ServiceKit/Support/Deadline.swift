import Synchronization

/// The operation did not finish within its time limit.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "operation did not finish within \(self.limit)" }
}

/// Runs `operation` and throws ``DeadlineExceeded`` if it has not finished after `limit`.
///
/// Unlike a task group, this does not wait for an operation that ignores cancellation: the
/// caller gets its answer on time and the operation is cancelled and left to end by itself.
/// That matters for calls such as a first database query, which may otherwise hang for a minute.
/// Cancelling the caller cancels the operation.
public func withDeadline<Value: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = DeadlineRace<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                work: Task { race.resolve(await Result { try await operation() }) },
                timer: Task {
                    try await Task.sleep(for: limit)
                    race.resolve(.failure(DeadlineExceeded(limit: limit)))
                }
            )
        }
    } onCancel: {
        race.cancel()
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Resumes the caller exactly once, with whichever of the operation and the timer ends first,
/// then cancels the other.
private final class DeadlineRace<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, any Error>?
        var pending: Result<Value, any Error>?
        var finished = false
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Value, any Error>, work: Task<Void, Never>, timer: Task<Void, any Error>) {
        let early: Result<Value, any Error>? = self.state.withLock { state in
            state.work = work
            state.timer = timer
            // Either task may have finished before it was registered here.
            if let pending = state.pending {
                state.finished = true
                return pending
            }
            state.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func resolve(_ result: Result<Value, any Error>) {
        let (continuation, work, timer): (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, Task<Void, any Error>?) =
            self.state.withLock { state in
                guard !state.finished else { return (nil, nil, nil) }
                guard let continuation = state.continuation else {
                    if state.pending == nil { state.pending = result }
                    return (nil, nil, nil)
                }
                state.finished = true
                state.continuation = nil
                return (continuation, state.work, state.timer)
            }
        guard let continuation else { return }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
    }

    func cancel() {
        self.resolve(.failure(CancellationError()))
    }
}
