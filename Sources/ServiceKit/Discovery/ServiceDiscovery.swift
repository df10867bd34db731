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

/// One running instance of a service, by where it serves gRPC.
public struct RPCInstance: Sendable, Hashable, CustomStringConvertible {
    /// Stable id of the instance (its address for static discovery).
    public var id: String
    public var address: RPCAddress

    public init(id: String, address: RPCAddress) {
        self.id = id
        self.address = address
    }

    public var description: String { self.address.description }
}

/// Resolves a service name to its instances.
public protocol ServiceDiscovery: Sendable {
    /// The known instances of `service` by their HTTP base URL; empty when none is known.
    func instances(of service: String) async throws -> [ServiceInstance]
    /// The known instances of `service` by their gRPC address; empty when none is known.
    func rpcInstances(of service: String) async throws -> [RPCInstance]
}

/// Discovery from configuration: fixed base URLs (or DNS names, as in docker-compose and
/// Kubernetes) per service.
public struct StaticDiscovery: ServiceDiscovery {
    let table: [String: [ServiceInstance]]
    let rpcTable: [String: [RPCInstance]]

    /// - Parameters:
    ///   - endpoints: base URLs per service name.
    ///   - rpcEndpoints: gRPC addresses per service name.
    public init(endpoints: [String: [String]], rpcEndpoints: [String: [RPCAddress]] = [:]) {
        self.table = endpoints.mapValues { urls in urls.map { ServiceInstance(id: $0, baseURL: $0) } }
        self.rpcTable = rpcEndpoints.mapValues { addresses in addresses.map { RPCInstance(id: $0.description, address: $0) } }
    }

    public func instances(of service: String) async throws -> [ServiceInstance] {
        self.table[service] ?? []
    }

    public func rpcInstances(of service: String) async throws -> [RPCInstance] {
        self.rpcTable[service] ?? []
    }
}
