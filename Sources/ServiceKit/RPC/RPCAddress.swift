/// Where an instance serves gRPC: a host name or IP address and a port (`product:9083`,
/// `127.0.0.1:9183`, `[::1]:9083`).
public struct RPCAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (an IPv6 host in brackets); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.utf8.count <= 253, !host.contains(where: { $0 == "/" || $0 == " " || $0 == "@" }) else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}

extension SettingsReader {
    /// A comma-separated list of gRPC addresses (`host:port`).
    public func rpcAddresses(_ key: String, default fallback: [RPCAddress]) throws -> [RPCAddress] {
        guard let text = self.raw(key) else { return fallback }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let addresses = try items.map { item in
            guard let address = RPCAddress(item) else {
                throw ConfigurationError(setting: Self.variableName(key), problem: "must be comma-separated host:port addresses, got \"\(item)\"")
            }
            return address
        }
        guard !addresses.isEmpty else { throw ConfigurationError(setting: Self.variableName(key), problem: "must list at least one address") }
        return addresses
    }
}
