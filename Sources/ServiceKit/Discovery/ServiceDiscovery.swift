/// One running instance of a service.
public struct ServiceInstance: Sendable, Hashable, CustomStringConvertible {
    /// Stable id of the instance (its base URL for static discovery).
    public var id: String
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:8083`.
    public var baseURL: String

    public init(id: String, baseURL: String) {
        self.id = id
        self.baseURL = baseURL
    }

    public var description: String { self.baseURL }
}

/// Resolves a service name to its instances.
public protocol ServiceDiscovery: Sendable {
    /// The known instances of `service`; empty when none is known.
    func instances(of service: String) async throws -> [ServiceInstance]
}

/// Discovery from configuration: fixed base URLs (or DNS names, as in docker-compose and
/// Kubernetes) per service.
public struct StaticDiscovery: ServiceDiscovery {
    let table: [String: [ServiceInstance]]

    /// - Parameter endpoints: base URLs per service name.
    public init(endpoints: [String: [String]]) {
        self.table = endpoints.mapValues { urls in urls.map { ServiceInstance(id: $0, baseURL: $0) } }
    }

    public func instances(of service: String) async throws -> [ServiceInstance] {
        self.table[service] ?? []
    }
}
