import GRPCCore
import Instrumentation

/// The metadata keys of internal calls. gRPC sends them as lower-case HTTP/2 headers.
public enum RPCMetadataKey {
    /// `Bearer <service token>` (or `Basic` client credentials for auth's token method).
    public static let authorization = "authorization"
    /// The request id of the request the call is part of (the correlation id).
    public static let requestID = "x-request-id"
    /// The key that makes a mutating call safe to repeat.
    public static let idempotencyKey = "idempotency-key"
}

extension Metadata {
    /// The first string value of `key`, if any.
    func first(_ key: String) -> String? {
        for value in self[stringValues: key] { return value }
        return nil
    }
}

/// Writes trace context (`traceparent`, `tracestate`) into gRPC metadata.
struct MetadataInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.replaceOrAddString(value, forKey: key)
    }
}

/// Reads trace context from gRPC metadata.
struct MetadataExtractor: Extractor {
    func extract(key: String, from carrier: Metadata) -> String? {
        carrier.first(key)
    }
}
