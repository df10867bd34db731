import HTTPTypes
import Hummingbird
import NIOCore

/// Rejects request bodies over a limit with 413, before they are read when `Content-Length`
/// says so, and while streaming otherwise (so a proxied body is bounded too).
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > self.limit {
            throw ProblemError.contentTooLarge(limit: self.limit)
        }
        var request = request
        request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: self.limit))
        return try await next(request, context)
    }
}

/// A body stream that throws ``ProblemError/contentTooLarge(limit:)`` once more than `limit`
/// bytes have passed.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await self.base.next() else { return nil }
            self.seen += chunk.readableBytes
            if self.seen > self.limit { throw ProblemError.contentTooLarge(limit: self.limit) }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), limit: self.limit)
    }
}
