import Foundation
import Testing

extension ShopStackSuite {
    /// API7:2023 Server Side Request Forgery: webhooks are the one place where a customer picks
    /// an address the shop will call. Registrations go through a gateway in front of a
    /// notification configured as in production (internal hosts refused); what a delivery does
    /// is tried against the shared stack, whose receivers listen on 127.0.0.1.
    @Suite("Attacks: server side request forgery (API7)")
    struct ServerSideRequestForgeryAttackTests {
        @Test("Aims a webhook at this machine: loopback in every spelling the resolver reads, and its own host name")
        func targetsThisMachine() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            var targets = [
                "http://127.0.0.1:\(stack.gatewayPort)/v1/status",
                "http://127.1/",
                "http://2130706433/",  // 127.0.0.1 as one number
                "http://0x7f.0.0.1/",
                "http://0177.0.0.1/",
                "http://[::1]:\(try stack.port("payment"))/internal/payments/authorize",
                "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:7f00:1]/",
                "http://0.0.0.0:\(try stack.port("order"))/",
                "http://localhost:\(try stack.port("product"))/internal/reservations",
                "http://LOCALHOST./",
                "https://127.0.0.1:6379/",
                "http://example.com@127.0.0.1/",  // the host is after the @
                "http://user:password@127.0.0.1:\(try stack.port("auth"))/",
            ]
            if let hostName = ShopStackSuite.WebhookSecurityTests.internalHostName() {
                targets.append("http://\(hostName):\(try stack.port("payment"))/internal/payments/authorize")
            }
            try await WebhookAttack.withProductionWebhooks(stack, label: "ssrf-loopback") { base in
                for target in targets {
                    try await WebhookAttack.expectRefused(stack, base: base, session, url: target)
                }
            }
            #expect(try await WebhookAttack.count(stack, session) == 0, "no refused webhook was stored")
        }

        @Test("Aims a webhook at cloud metadata, private networks and cluster service names")
        func targetsTheInternalNetwork() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let targets = [
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "http://[fd00:ec2::254]/latest/meta-data/",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://10.0.0.1/",
                "http://172.16.0.1/",
                "http://192.168.1.1/admin",
                "http://100.64.0.1/",
                "http://[fc00::1]/",
                "http://[fe80::1]/",
                "http://[::ffff:10.0.0.1]/",
                "http://payment:8085/internal/payments/capture",
                "http://redis:6379/",
                "http://postgres.default.svc.cluster.local:5432/",
            ]
            try await WebhookAttack.withProductionWebhooks(stack, label: "ssrf-internal") { base in
                for target in targets {
                    try await WebhookAttack.expectRefused(stack, base: base, session, url: target)
                }
            }
            #expect(try await WebhookAttack.count(stack, session) == 0, "no refused webhook was stored")
        }

        @Test("Aims a webhook at another scheme, or hides the host behind a backslash, whitespace or a broken URL")
        func smugglesTheTarget() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let targets = [
                "file:///etc/passwd",
                "gopher://127.0.0.1:6379/_FLUSHALL",
                "dict://127.0.0.1:6379/info",
                "ftp://127.0.0.1/",
                "javascript:alert(1)",
                "http://127.0.0.1\\@example.com/",
                "http://exa mple.com/",
                "//127.0.0.1/",
                "http:/127.0.0.1/",
                "http://[::1/",
            ]
            // The scheme and syntax rules hold even where internal hosts are allowed.
            for target in targets {
                try await WebhookAttack.expectRefused(stack, base: stack.url(""), session, url: target)
            }
            #expect(try await WebhookAttack.count(stack, session) == 0, "no refused webhook was stored")
        }

        @Test("Redirects a webhook delivery to an internal address")
        func redirectsTheDelivery() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let inside = try WebhookReceiver()
            let outside = try WebhookReceiver(replies: [], otherwise: .redirect(to: inside.baseURL + "/internal/payments/capture"))
            try await inside.whileServing {
                try await outside.whileServing {
                    let webhook = try await Attack.webhook(stack, session, url: outside.baseURL + "/hook")
                    try await WebhookAttack.notify(stack, session)
                    // Recorded after the answer was read: had the redirect been followed, it was by then.
                    let failed = try await WebhookAttack.awaitDelivery(webhook: webhook.id, "answered 302") { $0.lastStatusCode == 302 }
                    #expect(failed.status != "delivered", "a redirect is not a delivery: \(failed)")
                    #expect(inside.requests.isEmpty, "the redirect was not followed: \(inside.requests.count) requests inside")
                }
            }
        }

        @Test("Reads a service token, the gateway's vouching or a client address from a webhook delivery")
        func harvestsCredentialsFromDeliveries() async throws {
            let stack = try Stack.require()
            let session = try await Session.register(stack, name: "Mallory")
            let receiver = try WebhookReceiver()
            try await receiver.whileServing {
                _ = try await Attack.webhook(stack, session, url: receiver.baseURL + "/hook")
                try await WebhookAttack.notify(stack, session)
                let requests = await receiver.waitForRequests(1, timeout: .seconds(30))
                try #require(!requests.isEmpty, "a delivery within 30 s; errors: \(receiver.errors)")
                for request in requests {
                    for header in ["Authorization", "X-Gateway-Token", "X-Client-Address", "Cookie", "X-Forwarded-For"] {
                        #expect(request.values(header).isEmpty, "a delivery carries no \(header): \(request.values(header))")
                    }
                    let body = String(decoding: request.body, as: UTF8.self)
                    #expect(!body.contains("eyJ"), "no token in the delivered body: \(body.prefix(300))")
                }
            }
        }
    }
}
