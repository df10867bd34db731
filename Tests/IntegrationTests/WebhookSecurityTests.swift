import Foundation
import PostgresNIO
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ShopStackSuite {
    /// Webhooks aimed as an attacker aims them: at this machine and the cluster by host name
    /// (SSRF), and at the secrets stored for them.
    @Suite("Webhook security")
    struct WebhookSecurityTests {
        private static let webhooksPath = "/v1/notifications/webhooks"

        /// The shared stack allows private hosts (its receivers listen on 127.0.0.1); this test starts a
        /// notification of its own with the setting off, as in production.
        @Test("With private hosts not allowed, webhook URLs on host names that resolve internally (this machine, a service name) get 422 on url")
        func hostNamesThatResolveInternallyAreRefused() async throws {
            let stack = try Stack.require()
            let hostName = try #require(
                Self.internalHostName(),
                "this machine's host name (or another /etc/hosts name) should resolve to loopback or private addresses only"
            )
            let session = try await Session.register(stack, name: "SSRF Probe")
            let settings = ["WEBHOOK_ALLOW_PRIVATE_HOSTS": "false", "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "3"]
            try await ExtraNotification.with(stack, label: "strict", settings: settings) { port in
                let endpoint = "http://127.0.0.1:\(port)\(Self.webhooksPath)"
                let targets = [
                    "http://\(hostName):\(stack.gatewayPort)/v1/status",  // this machine, by its name
                    "http://\(hostName.uppercased()):\(try stack.port("payment"))/internal/payments",
                    "http://payment:8085/internal/payments/capture",  // a cluster service name
                    "http://169.254.169.254/latest/meta-data/",
                ]
                for target in targets {
                    let response = try await stack.http.send(
                        .POST,
                        endpoint,
                        json: try canonicalJSON(["url": target]),
                        headers: [bearer(session.accessToken)]
                    )
                    #expect(response.status == 422, "\(target) must be refused: \(response.status) \(response.text.prefix(300))")
                    expectValidationProblem(response, path: Self.webhooksPath, fields: ["url"])
                }
                let stored = try await ServiceDatabase.withClient("notification") { client in
                    let rows = try await client.query(
                        "SELECT count(*) FROM webhooks WHERE user_id = \(try Self.uuid(session.id))",
                        logger: ServiceDatabase.logger
                    )
                    var count: Int64 = -1
                    for try await value in rows.decode(Int64.self) { count = value }
                    return count
                }
                #expect(stored == 0, "no refused webhook was stored")
            }
        }

        @Test("A webhook's secret is stored encrypted (not the secret, key id test-1) and deliveries are signed with the secret shown once")
        func secretsAreEncryptedAtRest() async throws {
            let stack = try Stack.require()
            let receiver = try WebhookReceiver()
            do {
                let session = try await Session.register(stack, name: "Sealed Secret")
                let created = try await Self.createWebhook(stack, session, url: "\(receiver.baseURL)/hooks/sealed")
                let row = try await Self.storedSecret(webhook: try Self.uuid(created.id))
                #expect(row.plain == nil, "the plain column is empty")
                let sealed = try #require(row.sealed, "the secret is stored sealed")
                #expect(sealed.range(of: Data(created.secret.utf8)) == nil, "the stored bytes do not contain the secret")
                #expect(!sealed.isEmpty && String(decoding: sealed, as: UTF8.self) != created.secret)
                #expect(row.keyID == "test-1", "the key id of NOTIFICATION_WEBHOOK_KEYS is kept with it")

                try await Self.expectSignedDelivery(stack, session, receiver: receiver, secret: created.secret)
            } catch {
                await receiver.stop()
                throw error
            }
            await receiver.stop()
        }

        /// The data migration: a row from before encryption (plain secret) is sealed when notification starts,
        /// and deliveries still verify with the secret its owner has.
        @Test("A webhook secret stored in plain text before encryption is sealed at notification's next start and still signs")
        func plainSecretsAreSealedAtStart() async throws {
            let stack = try Stack.require()
            let receiver = try WebhookReceiver()
            do {
                let session = try await Session.register(stack, name: "Legacy Secret")
                let webhookID = UUID()
                let secret = "legacy-\(UUID().uuidString.lowercased())"
                let url = "\(receiver.baseURL)/hooks/legacy"
                let owner = try Self.uuid(session.id)
                try await ServiceDatabase.withClient("notification") { client in
                    _ = try await client.query(
                        "INSERT INTO webhooks (id, user_id, url, secret) VALUES (\(webhookID), \(owner), \(url), \(secret))",
                        logger: ServiceDatabase.logger
                    )
                }
                let notification = try stack.process("notification")
                notification.terminate(signal: SIGTERM)
                _ = await notification.waitForExit(timeout: .seconds(15))
                try await stack.restore("notification")

                let row = try await Self.storedSecret(webhook: webhookID)
                #expect(row.plain == nil, "the plain secret is gone after the start")
                let sealed = try #require(row.sealed, "and stored sealed")
                #expect(sealed.range(of: Data(secret.utf8)) == nil)
                #expect(row.keyID == "test-1")

                try await Self.expectSignedDelivery(stack, session, receiver: receiver, secret: secret)
            } catch {
                await receiver.stop()
                try? await stack.restore("notification")
                throw error
            }
            await receiver.stop()
        }

        // MARK: Helpers

        private struct CreatedWebhook: Decodable {
            let id: String
            let secret: String
        }

        private struct StoredSecret: Sendable {
            var plain: String?
            var sealed: Data?
            var keyID: String?
        }

        private static func uuid(_ text: String) throws -> UUID {
            guard let id = UUID(uuidString: text) else { throw HarnessError("not a UUID: \(text)") }
            return id
        }

        private static func createWebhook(_ stack: Stack, _ session: Session, url: String) async throws -> CreatedWebhook {
            let response = try await stack.http.send(
                .POST,
                stack.url(webhooksPath),
                json: try canonicalJSON(["url": url]),
                headers: [bearer(session.accessToken)]
            )
            guard response.status == 201 else {
                throw HarnessError("POST \(webhooksPath): expected 201, got \(response.status): \(response.text.prefix(500))")
            }
            return try decodeBody(CreatedWebhook.self, response, what: "POST \(webhooksPath)")
        }

        /// The secret columns of one webhook row.
        private static func storedSecret(webhook id: UUID) async throws -> StoredSecret {
            try await ServiceDatabase.withClient("notification") { client in
                let rows = try await client.query(
                    "SELECT secret, secret_ciphertext, secret_key_id FROM webhooks WHERE id = \(id)",
                    logger: ServiceDatabase.logger
                )
                for try await (plain, sealed, keyID) in rows.decode((String?, Data?, String?).self) {
                    return StoredSecret(plain: plain, sealed: sealed, keyID: keyID)
                }
                throw HarnessError("no webhook \(id) in notification's database")
            }
        }

        /// Places a confirmed order for `session` (a notification for its webhooks) and expects every request
        /// the receiver gets within 20 s to carry an `X-Signature` that verifies with `secret`.
        private static func expectSignedDelivery(_ stack: Stack, _ session: Session, receiver: WebhookReceiver, secret: String) async throws {
            let admin = try await Session.admin(stack)
            let product = try await Catalog.createProduct(stack, admin: admin, available: 3)
            let methodId = try await PaymentMethods.add(stack, session, card: .approves)
            let order = try await Orders.place(stack, session, items: [OrderItem(productId: product.id, quantity: 1)], methodId: methodId)
            let confirmed = try await Orders.awaitFinal(stack, session, order.id)
            try #require(confirmed.status == "confirmed", "\(confirmed.outcome)")
            let requests = await receiver.waitForRequests(1, timeout: .seconds(20))
            try #require(!requests.isEmpty, "a delivery within 20 s; errors: \(receiver.errors)")
            for request in requests {
                let signature = request.values("X-Signature").first ?? ""
                #expect(
                    WebhookSignatureCheck.verifies(signature, body: request.body, secret: secret),
                    "the delivery verifies with the webhook's secret: \(signature)"
                )
            }
        }

        /// A name the system resolver maps to this machine (loopback or private addresses only) that is not
        /// `localhost` itself: the machine's own host name, else a usual /etc/hosts alias.
        static func internalHostName() -> String? {
            var buffer = [CChar](repeating: 0, count: 256)
            let own =
                gethostname(&buffer, buffer.count) == 0
                ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
            for candidate in [own, "localhost.localdomain", "ip6-localhost", "ip6-loopback"] where !candidate.isEmpty {
                let name = candidate.lowercased()
                guard name != "localhost", !name.hasSuffix(".localhost"), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
                else {
                    continue
                }
                let addresses = resolve(candidate)
                if !addresses.isEmpty, addresses.allSatisfy(isLoopbackOrPrivate) { return candidate }
            }
            return nil
        }

        /// The raw addresses (4 or 16 bytes) `getaddrinfo` gives for `name`.
        private static func resolve(_ name: String) -> [[UInt8]] {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
            #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
            defer { freeaddrinfo(list) }
            var addresses: [[UInt8]] = []
            var next = list
            while let info = next?.pointee {
                if let socketAddress = info.ai_addr {
                    if info.ai_family == AF_INET {
                        let raw = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                        addresses.append(withUnsafeBytes(of: raw) { Array($0) })
                    } else if info.ai_family == AF_INET6 {
                        let raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                        addresses.append(withUnsafeBytes(of: raw) { Array($0) })
                    }
                }
                next = info.ai_next
            }
            return addresses
        }

        private static func isLoopbackOrPrivate(_ bytes: [UInt8]) -> Bool {
            if bytes.count == 4 {
                return bytes[0] == 127 || bytes[0] == 10 || (bytes[0] == 172 && bytes[1] & 0xf0 == 16) || (bytes[0] == 192 && bytes[1] == 168)
            }
            guard bytes.count == 16 else { return false }
            return bytes == [UInt8](repeating: 0, count: 15) + [1] || bytes[0] & 0xfe == 0xfc || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80)
        }
    }
}
