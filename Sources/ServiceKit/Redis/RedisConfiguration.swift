/// Where and how ``RedisClient`` connects.
///
/// Its `description` never shows the password, so the value can be logged.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// Host name or IP address of the server.
    public var host: String
    /// TCP port of the server (6379 by default).
    public var port: Int
    /// ACL user name for `AUTH username password` (Redis 6+); `nil` authenticates as the default user.
    public var username: String?
    /// Password sent with `AUTH` on every new connection; `nil` sends no `AUTH`.
    public var password: String?
    /// Logical database selected with `SELECT` on every new connection (0 sends no `SELECT`).
    public var database: Int
    /// Most connections the client keeps open (at least 1); they are opened only when needed.
    public var poolSize: Int
    /// Limit for opening a connection, including name resolution, TCP connect, `AUTH` and `SELECT`.
    public var connectTimeout: Duration
    /// TLS for every connection, `nil` for plain TCP. A `rediss://` URL turns it on with the system's
    /// certificate authorities; ``RedisTLS/trustRoots`` names others (`REDIS_TLS_CA_FILE`).
    public var tls: RedisTLS?
    /// Limit for one command's reply. A command that exceeds it fails with ``RedisClientError/timeout``
    /// and its connection is closed, so blocking commands (`BLPOP`, `XREAD BLOCK`) need a block time below it.
    public var commandTimeout: Duration

    /// The default Redis port.
    public static let defaultPort = 6379

    /// Creates a configuration from its parts.
    public init(
        host: String = "127.0.0.1",
        port: Int = RedisConfiguration.defaultPort,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2),
        tls: RedisTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.tls = tls
    }

    /// Parses `redis://[[username]:password@]host[:port][/database]`, with the other settings at their defaults.
    /// `rediss://` is the same over TLS (1.2 or newer), verifying the server's certificate against the
    /// system's authorities and the host name (an IP address against the certificate's IP addresses).
    ///
    /// `redis://secret@host` is read as a password. User name and password may be percent-encoded.
    /// An IPv6 host is written in brackets: `redis://[::1]:6379`.
    /// - Throws: ``RedisClientError/invalidURL(_:)`` whose text names the faulty part but never the password.
    public init(url: String) throws {
        self.init()
        let form = "expected redis[s]://[[username]:password@]host[:port][/database]"
        // Parts are quoted in errors only when the URL has no "@": otherwise a malformed URL might have put
        // (part of) the password where the scheme, host, port or database was expected.
        let quote: (Substring) -> String = { url.contains("@") ? "" : " '\($0.prefix(64))'" }
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw RedisClientError.invalidURL("missing scheme; \(form)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "redis": self.tls = nil
        case "rediss": self.tls = RedisTLS()
        default: throw RedisClientError.invalidURL("unsupported scheme\(quote(scheme[...])); \(form)")
        }
        var rest = url[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw RedisClientError.invalidURL("query and fragment are not supported; \(form)")
        }
        // The authority ends at the first "/" after the user info (a password may itself contain "/" only percent-encoded).
        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
            path = ""
        }
        rest = authority
        if let at = rest.lastIndex(of: "@") {
            try self.parseUserInfo(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        try self.parseHostAndPort(rest, form: form, quote: quote)
        if !path.isEmpty {
            guard let database = Int(path), database >= 0, path.allSatisfy(\.isASCII) else {
                throw RedisClientError.invalidURL("database\(quote(path)) is not a non-negative integer; \(form)")
            }
            self.database = database
        }
    }

    private mutating func parseUserInfo(_ userInfo: Substring) throws {
        let user: Substring
        let password: Substring
        if let colon = userInfo.firstIndex(of: ":") {
            user = userInfo[..<colon]
            password = userInfo[userInfo.index(after: colon)...]
        } else {
            user = ""
            password = userInfo
        }
        guard let decodedUser = Self.percentDecoded(user), let decodedPassword = Self.percentDecoded(password) else {
            throw RedisClientError.invalidURL("user name or password has an invalid percent-encoding (value not shown)")
        }
        self.username = decodedUser.isEmpty ? nil : decodedUser
        self.password = decodedPassword.isEmpty ? nil : decodedPassword
    }

    private mutating func parseHostAndPort(_ hostPort: Substring, form: String, quote: (Substring) -> String) throws {
        var host = hostPort
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw RedisClientError.invalidURL("unterminated IPv6 address\(quote(hostPort)); \(form)")
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                port = after.dropFirst()
            } else if !after.isEmpty {
                throw RedisClientError.invalidURL("unexpected text after IPv6 address\(quote(hostPort)); \(form)")
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else {
            throw RedisClientError.invalidURL("missing host; \(form)")
        }
        guard !host.contains(where: { $0 == " " || ($0 == ":" && !hostPort.hasPrefix("[")) }) else {
            throw RedisClientError.invalidURL("invalid host\(quote(host)); \(form)")
        }
        self.host = String(host)
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
                throw RedisClientError.invalidURL("port\(quote(port)) is not a number from 1 to 65535; \(form)")
            }
            self.port = number
        }
    }

    /// Decodes `%XX` escapes; `nil` if an escape is malformed or the result is not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    public var description: String {
        let credentials = self.password == nil ? "" : "\(self.username ?? ""):***@"
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let scheme = self.tls == nil ? "redis" : "rediss"
        return "\(scheme)://\(credentials)\(host):\(self.port)/\(self.database) (pool \(self.poolSize), "
            + "connect timeout \(self.connectTimeout), command timeout \(self.commandTimeout))"
    }
}
