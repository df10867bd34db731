import Logging
import ServiceKit
import Testing

/// Reading and validating settings from environment variables.
struct ConfigurationTests {
    private static let password = "S3cr3t-Pa55w0rd"
    private static let required = [
        "DATABASE_URL": "postgres://shop:\(password)@db.internal:5433/products",
        "REDIS_URL": "redis://127.0.0.1:6379",
    ]

    private func configuration(_ overrides: [String: String] = [:], usesDatabase: Bool = true) throws -> ServiceConfiguration {
        let environment = Self.required.merging(overrides) { _, new in new }
        return try ServiceConfiguration(
            service: "product",
            defaultPort: 8083,
            usesDatabase: usesDatabase,
            settings: SettingsReader(environment: environment)
        )
    }

    private func error(_ environment: [String: String], usesDatabase: Bool = true) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) {
            try ServiceConfiguration(
                service: "product",
                defaultPort: 8083,
                usesDatabase: usesDatabase,
                settings: SettingsReader(environment: environment)
            )
        }
    }

    // MARK: gRPC

    private func grpcConfiguration(_ overrides: [String: String]) throws -> ServiceConfiguration {
        try ServiceConfiguration(
            service: "product",
            defaultPort: 8083,
            defaultGRPCPort: 9083,
            usesDatabase: true,
            settings: SettingsReader(environment: Self.required.merging(overrides) { _, new in new })
        )
    }

    @Test func aCalledServiceServesGRPCBesideHTTP() throws {
        #expect(try self.grpcConfiguration([:]).grpc == RPCAddress(host: "127.0.0.1", port: 9083))
        #expect(try self.grpcConfiguration(["HTTP_HOST": "0.0.0.0", "GRPC_PORT": "19083"]).grpc == RPCAddress(host: "0.0.0.0", port: 19083))
        #expect(try self.grpcConfiguration(["HTTP_HOST": "localhost"]).grpc?.host == "127.0.0.1")
        #expect(try self.grpcConfiguration(["GRPC_HOST": "::"]).grpc?.host == "::")
        // A service nobody calls has no gRPC server.
        #expect(try self.configuration().grpc == nil)
    }

    @Test(arguments: [["GRPC_HOST": "product.internal"], ["GRPC_PORT": "70000"], ["GRPC_PORT": "grpc"]])
    func aBadGRPCSettingIsNamed(_ overrides: [String: String]) throws {
        let error = try #require(throws: ConfigurationError.self) { try self.grpcConfiguration(overrides) }
        #expect(error.setting == overrides.keys.first)
    }

    @Test func callersReadGRPCAddressesPerService() throws {
        let settings = try ClientSettings(
            settings: SettingsReader(environment: ["SERVICES_PRODUCT_GRPC_ADDRESSES": "10.0.0.7:9083, [fd00::2]:9183"])
        )
        #expect(settings.rpcEndpoints["product"] == [RPCAddress(host: "10.0.0.7", port: 9083), RPCAddress(host: "fd00::2", port: 9183)])
        #expect(settings.rpcEndpoints["payment"] == [RPCAddress(host: "127.0.0.1", port: 9085)])
        #expect(settings.rpcEndpoints["order"] == nil)
        for bad in ["product:0", "product", "http://product:9083", ":9083"] {
            let error = try #require(throws: ConfigurationError.self) {
                try ClientSettings(settings: SettingsReader(environment: ["SERVICES_PRODUCT_GRPC_ADDRESSES": bad]))
            }
            #expect(error.setting == "SERVICES_PRODUCT_GRPC_ADDRESSES", "\(bad)")
        }
    }

    // MARK: Variable names

    @Test(arguments: [
        ("http.maxBodyBytes", "HTTP_MAX_BODY_BYTES"),
        ("http.port", "HTTP_PORT"),
        ("database.url", "DATABASE_URL"),
        ("breaker.failureRate", "BREAKER_FAILURE_RATE"),
        ("services.product.urls", "SERVICES_PRODUCT_URLS"),
        ("client.connectTimeoutSeconds", "CLIENT_CONNECT_TIMEOUT_SECONDS"),
    ])
    func variableNameOfAKey(key: String, variable: String) {
        #expect(SettingsReader.variableName(key) == variable)
    }

    @Test func aCamelCaseKeyIsReadFromItsVariable() throws {
        let configuration = try self.configuration(["HTTP_MAX_BODY_BYTES": "2048"])
        #expect(configuration.maxBodyBytes == 2048)
    }

    // MARK: Defaults and overrides

    @Test func defaults() throws {
        let configuration = try self.configuration()
        #expect(configuration.service == "product")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8083)
        #expect(configuration.logLevel == .info)
        #expect(configuration.instanceID.hasPrefix("product-"))
        #expect(configuration.maxBodyBytes == 1_048_576)
        #expect(configuration.shutdownTimeout == .seconds(10))
        #expect(configuration.startupTimeout == .seconds(10))
        #expect(configuration.redis.host == "127.0.0.1")
        #expect(configuration.redis.port == 6379)
        #expect(configuration.redis.poolSize == 4)
        #expect(configuration.client.timeout == .seconds(10))
        #expect(configuration.client.connectTimeout == .seconds(2))
        #expect(configuration.client.breaker == .standard)
        #expect(
            configuration.client.endpoints == [
                "auth": ["http://127.0.0.1:8081"], "user": ["http://127.0.0.1:8082"], "product": ["http://127.0.0.1:8083"],
                "order": ["http://127.0.0.1:8084"], "payment": ["http://127.0.0.1:8085"], "notification": ["http://127.0.0.1:8086"],
            ]
        )
    }

    @Test func databaseSettingsAreParsedFromTheURL() throws {
        let database = try #require(try self.configuration(["DATABASE_POOL_SIZE": "3"]).database)
        #expect(database.host == "db.internal")
        #expect(database.port == 5433)
        #expect(database.username == "shop")
        #expect(database.password == Self.password)
        #expect(database.database == "products")
        #expect(database.poolSize == 3)
        #expect(database.redactedDescription == "db.internal:5433/products")
    }

    /// A fixed pool without keep-alive timers unless told otherwise (each timer costs memory
    /// per query: see `Database`).
    @Test func thePoolIsFixedWithoutKeepAliveByDefault() throws {
        let database = try #require(try self.configuration(["DATABASE_POOL_SIZE": "6"]).database)
        #expect(database.minimumConnections == 6)
        #expect(database.idleTimeout == .seconds(60))
        #expect(database.keepAlive == nil)
        let tuned = try #require(
            try self.configuration([
                "DATABASE_POOL_MIN": "1", "DATABASE_POOL_IDLE_SECONDS": "5", "DATABASE_KEEPALIVE_SECONDS": "30",
            ]).database
        )
        #expect(tuned.minimumConnections == 1)
        #expect(tuned.idleTimeout == .seconds(5))
        #expect(tuned.keepAlive == .seconds(30))
        #expect(throws: ConfigurationError.self) { try self.configuration(["DATABASE_POOL_MIN": "-1"]) }
    }

    @Test func databaseURLDefaultsAndPercentEncoding() throws {
        let settings = try DatabaseSettings(url: "postgresql://shop%2Bapp:p%40ss%3Aword@db/products")
        #expect(settings.port == 5432)
        #expect(settings.username == "shop+app")
        #expect(settings.password == "p@ss:word")
        #expect(settings.poolSize == 10)
        #expect(try DatabaseSettings(url: "postgres://shop@db/products").password == nil)
    }

    @Test func aServiceWithoutADatabaseNeedsNoDatabaseURL() throws {
        let configuration = try ServiceConfiguration(
            service: "api-gateway",
            defaultPort: 8080,
            usesDatabase: false,
            settings: SettingsReader(environment: ["REDIS_URL": "redis://cache:6380/2"])
        )
        #expect(configuration.database == nil)
        #expect(configuration.redis.host == "cache")
        #expect(configuration.redis.port == 6380)
        #expect(configuration.redis.database == 2)
    }

    @Test func overrides() throws {
        let configuration = try self.configuration([
            "HTTP_HOST": "0.0.0.0",
            "HTTP_PORT": "9000",
            "LOG_LEVEL": "DEBUG",
            "INSTANCE_ID": "product-7",
            "SHUTDOWN_TIMEOUT_SECONDS": "2.5",
            "CLIENT_TIMEOUT_SECONDS": "0.25",
            "BREAKER_FAILURE_RATE": "0.2",
            "BREAKER_MINIMUM_CALLS": "20",
            "BREAKER_WINDOW_SECONDS": "30",
            "BREAKER_OPEN_SECONDS": "1.5",
            "BREAKER_HALF_OPEN_PROBES": "3",
        ])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.instanceID == "product-7")
        #expect(configuration.shutdownTimeout == .milliseconds(2500))
        #expect(configuration.client.timeout == .milliseconds(250))
        #expect(
            configuration.client.breaker
                == CircuitBreakerPolicy(
                    failureRateThreshold: 0.2,
                    minimumCalls: 20,
                    window: .seconds(30),
                    openDuration: .milliseconds(1500),
                    halfOpenProbes: 3
                )
        )
    }

    @Test func commaSeparatedURLsAreParsedWithoutTrailingSlashes() throws {
        let configuration = try self.configuration([
            "SERVICES_PRODUCT_URLS": "http://product-1:8083/, https://product-2.example/ ,http://10.0.0.3:8083"
        ])
        #expect(configuration.client.endpoints["product"] == ["http://product-1:8083", "https://product-2.example", "http://10.0.0.3:8083"])
        #expect(configuration.client.endpoints["order"] == ["http://127.0.0.1:8084"])
    }

    @Test func blankValuesFallBackToDefaults() throws {
        let configuration = try self.configuration(["HTTP_PORT": "  ", "LOG_LEVEL": ""])
        #expect(configuration.port == 8083)
        #expect(configuration.logLevel == .info)
    }

    // MARK: Errors

    @Test func missingDatabaseURLIsNamed() throws {
        let error = try self.error(["REDIS_URL": "redis://127.0.0.1:6379"])
        #expect(error.setting == "DATABASE_URL")
        #expect(error.description.contains("DATABASE_URL"))
    }

    @Test func missingRedisURLIsNamed() throws {
        let error = try self.error(["DATABASE_URL": Self.required["DATABASE_URL"] ?? ""])
        #expect(error.setting == "REDIS_URL")
        #expect(error.description.contains("REDIS_URL"))
    }

    @Test(arguments: [
        ("HTTP_PORT", "notaport"),
        ("HTTP_PORT", "70000"),
        ("HTTP_PORT", "-1"),
        ("HTTP_MAX_BODY_BYTES", "0"),
        ("LOG_LEVEL", "chatty"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "redis://"),
        ("SERVICES_PRODUCT_URLS", "ftp://x"),
        ("SERVICES_ORDER_URLS", "http://ok:8084,not a url"),
        ("SERVICES_PAYMENT_URLS", " , "),
        ("BREAKER_FAILURE_RATE", "2"),
        ("BREAKER_FAILURE_RATE", "half"),
        ("BREAKER_HALF_OPEN_PROBES", "0"),
        ("CLIENT_TIMEOUT_SECONDS", "0"),
        ("DATABASE_POOL_SIZE", "1000"),
    ])
    func aMalformedSettingNamesItsVariable(variable: String, value: String) throws {
        let error = try self.error(Self.required.merging([variable: value]) { _, new in new })
        #expect(error.setting == variable)
        #expect(error.description.contains(variable))
        #expect(!error.description.contains(Self.password))
    }

    @Test(arguments: [
        "mysql://shop:\(password)@db.internal/products",
        "postgres://shop:\(password)@/products",
        "postgres://:\(password)@db.internal/products",
        "postgres://shop:\(password)@db.internal",
        "postgres://shop:\(password)@db.internal:notaport/products",
        "postgres://shop:\(password)@db internal/products",
        "\(password)",
    ])
    func aMalformedDatabaseURLNeverShowsThePassword(url: String) throws {
        let error = try self.error(Self.required.merging(["DATABASE_URL": url]) { _, new in new })
        #expect(error.setting == "DATABASE_URL")
        #expect(error.description.contains("DATABASE_URL"))
        #expect(!error.description.contains(Self.password))
        #expect(!String(reflecting: error).contains(Self.password))
    }

    @Test func aDatabaseURLPortOutOfRangeIsRejected() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try DatabaseSettings(url: "postgres://shop:\(Self.password)@db.internal:70000/products")
        }
        #expect(error.setting == "DATABASE_URL")
        #expect(!error.description.contains(Self.password))
    }

    @Test func aRedisURLErrorNeverShowsThePassword() throws {
        let error = try self.error(Self.required.merging(["REDIS_URL": "redis://:\(Self.password)@cache:notaport"]) { _, new in new })
        #expect(error.setting == "REDIS_URL")
        #expect(!error.description.contains(Self.password))
    }

    @Test func configurationErrorDescriptionIsOneLine() {
        let error = ConfigurationError(setting: "HTTP_PORT", problem: "must be an integer")
        #expect(error.description == "configuration error: HTTP_PORT must be an integer")
    }
}
