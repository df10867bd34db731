import Foundation
import Testing

extension ShopStackSuite {
    /// API8:2023 Security Misconfiguration: what a scanner tries first.
    @Suite("Attacks: security misconfiguration (API8)")
    struct MisconfigurationAttackTests {
        @Test("Sends TRACE to echo headers back (cross-site tracing)")
        func tracesRequests() async throws {
            let stack = try Stack.require()
            for url in [stack.url("/v1/products"), try stack.url("/v1/products", on: "product")] {
                let response = try await stack.http.send(.TRACE, url, headers: [("X-Probe", "xst-probe")])
                #expect([404, 405].contains(response.status), "\(url): \(response.status)")
                Attack.expectNoLeak(response, of: "xst-probe")
            }
        }

        @Test("Provokes errors to read stack traces, file paths or SQL")
        func readsInternalsFromErrors() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let probes: [(RequestMethod, String, String)] = [
                (.POST, "/v1/orders", "{\"items\":["),
                (.POST, "/v1/auth/login", "[1,2,3]"),
                (.GET, "/v1/products/' OR 1=1 --", ""),
                (.GET, "/v1/products?limit=abc&cursor=%00%ff", ""),
                (.PATCH, "/v1/users/me", #"{"name":{"$gt":""}}"#),
            ]
            for (method, path, json) in probes {
                let url = stack.url(path.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "'", with: "%27"))
                let response =
                    json.isEmpty
                    ? try await stack.http.send(method, url, headers: [bearer(session.accessToken)])
                    : try await stack.http.send(method, url, json: json, headers: [bearer(session.accessToken)])
                #expect((400..<500).contains(response.status), "\(path): \(response.status) \(response.text.prefix(300))")
                for word in [".swift", "Sources/", "postgres", "SQLSTATE", "syntax error", "Fatal error", "0x0000"] {
                    Attack.expectNoLeak(response, of: word)
                }
            }
        }

        @Test("Relies on content sniffing or framing of API answers")
        func sniffsContentTypes() async throws {
            let stack = try Stack.require()
            for url in [stack.url("/v1/products?limit=1"), stack.url("/v1/no-such-thing"), try stack.url("/v1/products?limit=1", on: "product")] {
                let response = try await stack.http.send(.GET, url)
                #expect(response.header("X-Content-Type-Options")?.lowercased() == "nosniff", "\(url): nosniff")
                #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(url): no framing")
            }
        }

        @Test("Reads tokens from a shared cache")
        func cachesTokens() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack)
            let login = try await stack.http.send(
                .POST,
                stack.url("/v1/auth/login"),
                json: try canonicalJSON(["email": session.email, "password": session.password])
            )
            #expect(login.status == 200)
            #expect(login.header("Cache-Control")?.contains("no-store") == true, "token answers are never cached")
            let me = try await stack.http.send(.GET, stack.url("/v1/users/me"), headers: [bearer(session.accessToken)])
            #expect(me.header("Cache-Control")?.contains("no-store") == true, "personal answers are never cached")
        }

        @Test("Learns server software and versions from headers")
        func fingerprintsTheServer() async throws {
            let stack = try Stack.require()
            let response = try await stack.http.send(.GET, stack.url("/v1/products?limit=1"))
            for name in ["Server", "X-Powered-By"] {
                let value = response.header(name) ?? ""
                let namesAVersion = value.contains { $0.isNumber }
                #expect(!namesAVersion, "\(name) names no version: \(value)")
            }
            #expect(response.header(InstanceFailureHeader.name) == nil, "internal headers stay inside")
        }
    }
}

/// The internal header a service sets on its own failures (stripped by the gateway).
enum InstanceFailureHeader {
    static let name = "Instance-Failure"
}
