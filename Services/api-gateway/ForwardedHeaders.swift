import HTTPTypes
import NIOCore
import NIOHTTP1
import ServiceKit

/// Header rewriting at the proxy boundary (RFC 9110 §7.6.1).
enum ForwardedHeaders {
    /// Headers that describe one connection, never the message, so they are not forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// The request headers to send upstream: hop-by-hop headers (and those named in
    /// `Connection`) removed, `Host` left to the client, `X-Forwarded-For`/`-Proto` added, and
    /// the client's derived address in `X-Client-Address` with the gateway's token beside it
    /// (any copy of either that the client sent is dropped).
    static func request(
        _ fields: HTTPFields,
        authority: String?,
        remoteAddress: SocketAddress?,
        clientAddress: String,
        gatewayToken: String?
    ) -> HTTPHeaders {
        let dropped = self.dropped(fields)
        var headers = HTTPHeaders()
        var forwardedFor: String?
        for field in fields {
            let name = field.name.canonicalName
            switch name {
            case "host", "content-length", "x-request-id", "traceparent", "x-forwarded-proto", "x-forwarded-host", "x-client-address",
                "x-gateway-token":
                continue
            case "x-forwarded-for":
                forwardedFor = forwardedFor.map { $0 + ", " + field.value } ?? field.value
            default:
                if !dropped.contains(name) { headers.add(name: field.name.rawName, value: field.value) }
            }
        }
        if let ip = remoteAddress?.ipAddress {
            forwardedFor = forwardedFor.map { $0 + ", " + ip } ?? ip
        }
        if let forwardedFor { headers.add(name: "X-Forwarded-For", value: forwardedFor) }
        headers.add(name: "X-Forwarded-Proto", value: "http")
        if let authority { headers.add(name: "X-Forwarded-Host", value: authority) }
        if let length = fields[.contentLength] { headers.add(name: "Content-Length", value: length) }
        headers.add(name: HTTPField.Name.clientAddress.rawName, value: clientAddress)
        if let gatewayToken { headers.add(name: HTTPField.Name.gatewayToken.rawName, value: gatewayToken) }
        return headers
    }

    /// The upstream response headers to pass back: hop-by-hop, `Date` and `Server` removed
    /// (this server sets its own).
    static func response(_ headers: HTTPHeaders) -> HTTPFields {
        var connectionNamed: Set<String> = []
        for value in headers["connection"] {
            for token in value.split(separator: ",") { connectionNamed.insert(token.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            if self.hopByHop.contains(lowered) || connectionNamed.contains(lowered) || lowered == "date" || lowered == "server"
                || lowered == InstanceFailure.headerName.lowercased()
            {
                continue
            }
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }

    private static func dropped(_ fields: HTTPFields) -> Set<String> {
        var names = self.hopByHop
        for value in fields[values: .connection] {
            for token in value.split(separator: ",") { names.insert(token.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        return names
    }
}
