import HTTPTypes
import Testing

@testable import ServiceKit

@Suite("Security headers")
struct SecurityHeadersTests {
    @Test("Every answer gets nosniff and a locked-down CSP; a credentialed one is not cached")
    func setsTheHeaders() {
        var headers = HTTPFields()
        SecurityHeadersMiddleware.apply(to: &headers, credentialed: true)
        #expect(headers[.xContentTypeOptions] == "nosniff")
        #expect(headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
        #expect(headers[.cacheControl] == "no-store")
    }

    @Test("A route's own caching stays; an anonymous answer is left cacheable")
    func keepsARoutesCaching() {
        var cached: HTTPFields = [.cacheControl: "public, max-age=300"]
        SecurityHeadersMiddleware.apply(to: &cached, credentialed: true)
        #expect(cached[.cacheControl] == "public, max-age=300")
        var anonymous = HTTPFields()
        SecurityHeadersMiddleware.apply(to: &anonymous, credentialed: false)
        #expect(anonymous[.cacheControl] == nil)
    }

    @Test("Strict-Transport-Security only when the service serves HTTPS")
    func strictTransportSecurity() {
        var https = HTTPFields()
        SecurityHeadersMiddleware.apply(to: &https, credentialed: false, strictTransportSecurity: true)
        #expect(https[.strictTransportSecurity] == "max-age=31536000")
        var http = HTTPFields()
        SecurityHeadersMiddleware.apply(to: &http, credentialed: false)
        #expect(http[.strictTransportSecurity] == nil)
    }

    @Test("An upstream's copies are replaced, not doubled")
    func replacesUpstreamCopies() {
        var headers: HTTPFields = [.xContentTypeOptions: "nosniff", .contentSecurityPolicy: "default-src *"]
        SecurityHeadersMiddleware.apply(to: &headers, credentialed: false)
        #expect(headers[values: .xContentTypeOptions] == ["nosniff"])
        #expect(headers[values: .contentSecurityPolicy] == ["default-src 'none'; frame-ancestors 'none'"])
    }
}
