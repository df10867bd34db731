import Foundation
import Logging
import Testing

@testable import ServiceKit

/// One JSON object per log line, secrets redacted.
struct JSONLogHandlerTests {
    @Test func eachLineIsOneJSONObjectWithTheStandardFields() throws {
        let logs = LogCapture()
        var logger = logs.logger(label: "orders")
        logger[metadataKey: "requestId"] = "req-1"
        logger[metadataKey: "traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736"
        logger[metadataKey: "hb.request.id"] = "internal"
        logger.info("order placed", metadata: ["order.id": "o-1", "order.items": .stringConvertible(3)])
        logger.warning("second")

        let lines = logs.lines
        #expect(lines.count == 2)
        for line in lines {
            #expect(line.hasSuffix("}\n"))
            #expect(line.dropLast().contains("\n") == false)
        }
        let record = try LogRecord(line: try #require(lines.first))
        #expect(record["level"] == "info")
        #expect(record["service"] == "test-service")
        #expect(record["instance"] == "test-1")
        #expect(record["message"] == "order placed")
        #expect(record["requestId"] == "req-1")
        #expect(record["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        let time = try #require(record["time"])
        #expect(
            try Date(time, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) <= Date()
        )
        #expect(record.metadata["order.id"] as? String == "o-1")
        #expect(record.metadata["order.items"] as? String == "3")
        #expect(record.metadata["requestId"] == nil)
        #expect(record.metadata["hb.request.id"] == nil)
        #expect(try LogRecord(line: lines[1])["level"] == "warning")
    }

    /// The hand-made timestamp is the ISO 8601 form Foundation would write, for dates that
    /// test the calendar (epoch, leap days, year ends); the milliseconds are exact in binary, so
    /// both sides see the same instant.
    @Test(arguments: [(0, 0), (951_782_400, 125), (1_709_164_799, 875), (1_798_761_599, 500), (4_102_444_800, 250)])
    func timestampsMatchFoundationsISO8601(seconds: Int, milliseconds: Int) {
        let expected = Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000)
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(JSONLogHandler.timestamp(seconds: seconds, milliseconds: milliseconds) == expected)
    }

    @Test func millisecondsKeepTheirLeadingZeros() {
        #expect(JSONLogHandler.timestamp(seconds: 0, milliseconds: 7) == "1970-01-01T00:00:00.007Z")
        #expect(JSONLogHandler.timestamp(seconds: 59, milliseconds: 42) == "1970-01-01T00:00:59.042Z")
    }

    @Test func aLineWithoutMetadataHasNoMetadataMember() throws {
        let logs = LogCapture()
        logs.logger().notice("started")
        let record = try #require(try logs.records().first)
        #expect(record.fields["metadata"] == nil)
        #expect(record.fields["requestId"] == nil)
        #expect(record["level"] == "notice")
    }

    @Test func messagesBelowTheLevelAreDropped() {
        let logs = LogCapture()
        let logger = logs.logger(level: .info)
        logger.debug("noise")
        logger.info("kept")
        #expect(logs.lines.count == 1)
    }

    @Test func secretsAreRedactedAtEveryDepth() throws {
        let logs = LogCapture()
        var logger = logs.logger()
        logger[metadataKey: "session.cookie"] = "sid=cookie-secret"
        logger.info(
            "login",
            metadata: [
                "password": "hunter2-secret",
                "accessToken": "token-secret",
                "Authorization": "Bearer bearer-secret",
                "user.email": "ann@example.com",
                "payment": ["cardNumber": "4111111111111111", "amount": "12.50", "billing": ["apiKey": "apikey-secret", "city": "Oslo"]],
                "attempts": [["client_secret": "client-secret"], "plain"],
            ]
        )
        let line = try #require(logs.lines.first)
        for secret in ["hunter2-secret", "token-secret", "bearer-secret", "cookie-secret", "4111111111111111", "apikey-secret", "client-secret"] {
            #expect(!line.contains(secret), "\(secret) leaked")
        }
        let metadata = try LogRecord(line: line).metadata
        #expect(metadata["password"] as? String == "[REDACTED]")
        #expect(metadata["accessToken"] as? String == "[REDACTED]")
        #expect(metadata["Authorization"] as? String == "[REDACTED]")
        #expect(metadata["session.cookie"] as? String == "[REDACTED]")
        #expect(metadata["user.email"] as? String == "ann@example.com")
        let payment = try #require(metadata["payment"] as? [String: Any])
        #expect(payment["cardNumber"] as? String == "[REDACTED]")
        #expect(payment["amount"] as? String == "12.50")
        let billing = try #require(payment["billing"] as? [String: Any])
        #expect(billing["apiKey"] as? String == "[REDACTED]")
        #expect(billing["city"] as? String == "Oslo")
        let attempts = try #require(metadata["attempts"] as? [Any])
        #expect((attempts.first as? [String: Any])?["client_secret"] as? String == "[REDACTED]")
        #expect(attempts.last as? String == "plain")
    }

    @Test(arguments: ["password", "newPassword", "PASSWORD", "refresh_token", "xApiKey", "X-AUTHORIZATION", "Cookie", "cvc", "clientSecret"])
    func secretLookingKeysAreSecret(key: String) {
        #expect(Redaction.isSecret(key: key))
    }

    @Test(arguments: ["user.email", "order.id", "http.path", "requestId", "car", "tok", ""])
    func ordinaryKeysAreNotSecret(key: String) {
        #expect(!Redaction.isSecret(key: key))
    }

    @Test func quotesNewlinesAndControlCharactersAreEscaped() throws {
        let logs = LogCapture()
        let message = "say \"hi\"\nforged {\"level\":\"error\"}\r\ttab \\ back \u{01}\u{1F} ünï 🚀"
        logs.logger().info("\(message)", metadata: ["we\"ird\nkey": "va\"lue\n\u{07}"])
        let line = try #require(logs.lines.first)
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1)
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let record = try LogRecord(line: line)
        #expect(record["message"] == message)
        #expect(record.metadata["we\"ird\nkey"] as? String == "va\"lue\n\u{07}")
        #expect(record.fields["level"] as? String == "info")
    }

    @Test func providerHandlerAndEventMetadataAreMergedEventFirst() throws {
        let logs = LogCapture()
        let sink = LogSink { line in logs.append(line) }
        var handler = JSONLogHandler(label: "test", service: "svc", instance: "svc-1", level: .info, sink: sink)
        handler.metadataProvider = Logger.MetadataProvider { ["tenant": "acme", "component": "provided"] }
        var logger = Logger(label: "test") { _ in handler }
        logger[metadataKey: "component"] = "handler"
        logger[metadataKey: "region"] = "eu"
        logger.info("merged", metadata: ["region": "us"])
        let record = try #require(try logs.records().first)
        #expect(record["service"] == "svc")
        #expect(record.metadata["tenant"] as? String == "acme")
        #expect(record.metadata["component"] as? String == "provided")
        #expect(record.metadata["region"] as? String == "us")
    }
}
