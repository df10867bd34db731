import HTTPTypes
import Hummingbird

/// Where a service learns the address of the client behind a request.
public enum ClientAddressSource: Sendable {
    /// The socket peer, nothing else.
    case socketPeer
    /// The edge (the gateway): `X-Forwarded-For` read across the given trusted proxies only.
    case forwardedFor(TrustedProxies)
    /// A service behind the gateway: `X-Client-Address` when the request carries a valid
    /// gateway token (`X-Gateway-Token`), the socket peer otherwise.
    case gateway(GatewayTokenCheck)
}

/// Puts the client's address on the context (``ServiceRequestContext/clientAddress``), where
/// rate limits, login throttles and the access log read it. It never fails a request: whatever
/// cannot be believed is replaced by the socket peer.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let source: ClientAddressSource

    public init(source: ClientAddressSource) {
        self.source = source
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = await self.address(of: request, context: context)
        return try await next(request, context)
    }

    func address(of request: Request, context: Context) async -> String? {
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress(exactly: $0) }
        switch self.source {
        case .socketPeer:
            return peer?.description
        case .forwardedFor(let trusted):
            guard let peer else { return nil }
            return trusted.clientAddress(peer: peer, forwardedFor: request.headers[values: .xForwardedFor]).description
        case .gateway(let check):
            let vouched = request.headers[values: .clientAddress]
            guard vouched.count == 1, let claimed = IPAddress(exactly: vouched[0]),
                let token = request.headers[.gatewayToken], await check.accepts(token, logger: context.logger)
            else { return peer?.description }
            return claimed.description
        }
    }
}
