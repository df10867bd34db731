import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors raised by the harness itself (as opposed to failed expectations).
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One real service executable from `SHOP_BIN_DIR`, run as a child process.
///
/// stdout and stderr are appended to one log file, which survives restarts so a test can
/// read everything the service ever printed.
final class ServiceProcess: Sendable {
    /// The executable's name, e.g. `product` or `api-gateway`.
    let name: String
    /// The complete environment the process runs with (nothing is inherited).
    let environment: [String: String]
    let logFile: URL
    /// Command-line arguments (none for a service; `routes` lists its routes and exits).
    let arguments: [String]
    private let executable: URL
    // `Process` is not Sendable; it is only ever touched inside this lock.
    private let process: Mutex<Process?>

    /// Prepares (does not start) a process; fails when `SHOP_BIN_DIR` or the binary is missing.
    init(name: String, environment: [String: String], logFile: URL, arguments: [String] = []) throws {
        self.name = name
        self.environment = environment
        self.logFile = logFile
        self.arguments = arguments
        self.executable = try Self.executableURL(for: name)
        self.process = Mutex(nil)
    }

    /// Where the executable for `name` lives.
    static func executableURL(for name: String) throws -> URL {
        guard let directory = ProcessInfo.processInfo.environment["SHOP_BIN_DIR"], !directory.isEmpty else {
            throw HarnessError(
                "SHOP_BIN_DIR is not set: point it at the folder holding the built service executables (e.g. .build/debug)"
            )
        }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw HarnessError("no executable '\(name)' in SHOP_BIN_DIR=\(directory): build the services first (swift build)")
        }
        return url
    }

    /// A minimal environment for a child: enough to run, nothing that could configure a service by accident.
    static func baseEnvironment() throws -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for key in ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"] {
            if let value = inherited[key] {
                environment[key] = value
            }
        }
        // Suites run side by side, each with stacks of its own: pools open connections on
        // demand here instead of all of them at start, so Postgres's connection limit holds.
        environment["DATABASE_POOL_MIN"] = "1"
        // A service that serves gRPC would take its default port (9081, ...): one of its own,
        // so side-by-side processes and a developer's `make run` never clash.
        environment["GRPC_PORT"] = String(try Ports.freePort())
        return environment
    }

    var isRunning: Bool {
        process.withLock { $0?.isRunning ?? false }
    }

    /// The process id, while running.
    var pid: Int32? {
        process.withLock { process in
            guard let process, process.isRunning else { return nil }
            return process.processIdentifier
        }
    }

    /// Launches the executable; throws if it is already running or cannot be launched.
    func start() throws {
        try process.withLock { current in
            if let current, current.isRunning {
                throw HarnessError("\(name) is already running (pid \(current.processIdentifier))")
            }
            let handle = try Self.openForAppending(logFile)
            let launched = Process()
            launched.executableURL = executable
            launched.arguments = arguments
            launched.environment = environment
            launched.standardInput = FileHandle.nullDevice
            launched.standardOutput = handle
            launched.standardError = handle
            do {
                try Self.withSignalsUnblocked { try launched.run() }
            } catch {
                try? handle.close()
                throw HarnessError("could not launch \(executable.path): \(error)")
            }
            // The child holds its own copy of the descriptor.
            try? handle.close()
            current = launched
        }
    }

    /// Starts the same executable again with the same environment (and so the same port).
    func restart() throws {
        try start()
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL) to the process, if it runs.
    func terminate(signal: Int32) {
        process.withLock { process in
            guard let process, process.isRunning else { return }
            _ = kill(process.processIdentifier, signal)
        }
    }

    /// Waits (bounded) for the process to exit; its exit status, or nil if it still runs after `timeout`.
    /// A process killed by a signal reports that signal's number (see `exitedBySignal`).
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let status: Int32? = process.withLock { process in
                guard let process else { return nil }
                return process.isRunning ? nil : process.terminationStatus
            }
            if let status { return status }
            if !process.withLock({ $0 != nil }) { return nil }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Whether the last run ended through an uncaught signal rather than `exit`.
    var exitedBySignal: Bool {
        process.withLock { process in
            guard let process, !process.isRunning else { return false }
            return process.terminationReason == .uncaughtSignal
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard isRunning else { return }
        terminate(signal: SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            terminate(signal: SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }

    /// Everything the process printed so far.
    func log() -> String {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The complete lines of the log. A line the process is still writing is left out: a write
    /// that crosses a page boundary of the file becomes visible to readers one page at a time.
    func logLines() -> [String] {
        let text = log()
        guard let lastNewline = text.lastIndex(of: "\n") else { return [] }
        return text[..<lastNewline].split(whereSeparator: \.isNewline).map(String.init)
    }

    /// The last lines of the log, for failure messages.
    func logTail(lines: Int = 25) -> String {
        logLines().suffix(lines).joined(separator: "\n")
    }

    /// Runs `body` (which spawns a child) with this thread's signal mask emptied.
    ///
    /// A child inherits the spawning thread's signal mask, and the concurrency runtime's worker
    /// threads block nearly every signal: without this the service would never see SIGTERM.
    private static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    private static func openForAppending(_ url: URL) throws -> FileHandle {
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw HarnessError("cannot open log file \(url.path): errno \(errno)")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
