import Foundation
import Testing

@testable import NotificationService

struct WebhookSignatureTests {
    let secret = "0123456789abcdef0123456789abcdef"
    let body = Data(#"{"hello":"world"}"#.utf8)
    let timestamp: Int64 = 1_700_000_000

    /// Computed independently: `printf '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac <secret>`.
    let expected = "t=1700000000,v1=6f393854ecf6d5c9a23333c7d64fde55ddc4ba0540eab39683450b4b04860537"

    @Test func signsTheTimestampAndRawBodyWithHMACSHA256() {
        #expect(WebhookSignature.sign(body: self.body, secret: self.secret, timestamp: self.timestamp) == self.expected)
    }

    @Test func verifyAcceptsTheSignature() {
        #expect(WebhookSignature.verify(self.expected, body: self.body, secret: self.secret))
        #expect(WebhookSignature.verify(self.expected, body: self.body, secret: self.secret, now: self.timestamp + 60))
        // Upper-case hex and spaces after the comma are tolerated.
        #expect(
            WebhookSignature.verify(
                self.expected.uppercased().replacingOccurrences(of: "T=", with: "t=").replacingOccurrences(of: "V1=", with: "v1="),
                body: self.body,
                secret: self.secret
            )
        )
        #expect(WebhookSignature.verify(self.expected.replacingOccurrences(of: ",", with: ", "), body: self.body, secret: self.secret))
    }

    @Test(arguments: [Int64.min, Int64.max, -1])
    func aTimestampFarFromNowFailsWithoutOverflow(timestamp: Int64) {
        let header = "t=\(timestamp),v1=6f393854ecf6d5c9a23333c7d64fde55ddc4ba0540eab39683450b4b04860537"
        #expect(!WebhookSignature.verify(header, body: self.body, secret: self.secret, now: self.timestamp))
        #expect(!WebhookSignature.verify(self.expected, body: self.body, secret: self.secret, now: Int64.min))
        #expect(!WebhookSignature.verify(self.expected, body: self.body, secret: self.secret, now: Int64.max))
    }

    @Test func verifyRejectsAChangedBody() {
        #expect(!WebhookSignature.verify(self.expected, body: Data(#"{"hello":"World"}"#.utf8), secret: self.secret))
        #expect(!WebhookSignature.verify(self.expected, body: Data(), secret: self.secret))
    }

    @Test func verifyRejectsAnotherSecret() {
        #expect(!WebhookSignature.verify(self.expected, body: self.body, secret: "0123456789abcdef0123456789abcdeF"))
    }

    @Test func verifyRejectsAChangedTimestamp() {
        let replayed = self.expected.replacingOccurrences(of: "t=1700000000", with: "t=1700000001")
        #expect(!WebhookSignature.verify(replayed, body: self.body, secret: self.secret))
    }

    @Test func verifyRejectsAStaleSignature() {
        #expect(!WebhookSignature.verify(self.expected, body: self.body, secret: self.secret, now: self.timestamp + 301))
        #expect(!WebhookSignature.verify(self.expected, body: self.body, secret: self.secret, now: self.timestamp - 301))
    }

    @Test func verifyRejectsMalformedHeaders() {
        for header in ["", "garbage", "t=1700000000", "v1=6f39", "t=abc,v1=6f393854", "t=1700000000,v1=zz", "t=1700000000,v1=6f3"] {
            #expect(!WebhookSignature.verify(header, body: self.body, secret: self.secret), "\(header)")
        }
    }

    @Test func secretsAre32RandomBytesInHex() {
        let first = WebhookSignature.makeSecret()
        let second = WebhookSignature.makeSecret()
        #expect(first.count == 64)
        #expect(first.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(first != second)
    }
}
