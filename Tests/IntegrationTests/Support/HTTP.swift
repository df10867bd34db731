import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A complete HTTP response: status, headers and the whole body.
struct HTTPResult: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: Data

    /// The first value of a header (case-insensitive name).
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    var contentType: String? { header("Content-Type") }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw HarnessError("body is not a JSON object: \(text.prefix(500))")
        }
        return object
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: body)
    }
}

/// The methods the tests use (so test files need not import NIOHTTP1).
enum RequestMethod: String, Sendable {
    case GET, POST, PUT, PATCH, DELETE, HEAD, TRACE

    var nio: HTTPMethod { HTTPMethod(rawValue: rawValue) }
}

/// The suite's one HTTP client: redirects off, bounded timeouts.
final class HTTP: Sendable {
    private let client: HTTPClient

    init() {
        // Generous: on two busy cores a connection can take seconds to be accepted, and tests
        // send up to 40 requests at once (the default pool of 8 would queue them).
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(20))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and collects the response (up to 16 MiB of body).
    func send(
        _ method: RequestMethod = .GET,
        _ url: String,
        headers: [(String, String)] = [],
        body: Data? = nil,
        timeout: Duration = .seconds(20)
    ) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = method.nio
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .milliseconds(timeout.milliseconds))
        let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return HTTPResult(
            status: Int(response.status.code),
            headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: Data(buffer.readableBytesView)
        )
    }

    /// Sends a JSON body.
    func send(
        _ method: RequestMethod,
        _ url: String,
        json: String,
        headers: [(String, String)] = []
    ) async throws -> HTTPResult {
        try await send(method, url, headers: [("Content-Type", "application/json")] + headers, body: Data(json.utf8))
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
func queryEscaped(_ value: String) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}
