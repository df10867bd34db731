import HTTPTypes
import ServiceKit
import Testing

/// Which methods a path allows, from the registered patterns.
struct RouteTableTests {
    @Test func literalPathsMatchExactly() {
        let table = RouteTable()
        table.register(.get, "/v1/products")
        #expect(table.allowedMethods(for: "/v1/products") == [.get])
        #expect(table.allowedMethods(for: "/v1/products/") == [.get])
        #expect(table.allowedMethods(for: "/v1/products?limit=5") == [.get])
        #expect(table.allowedMethods(for: "/v1/product").isEmpty)
        #expect(table.allowedMethods(for: "/v1/products/1").isEmpty)
        #expect(table.allowedMethods(for: "/v1").isEmpty)
    }

    @Test(arguments: ["/v1/products/{id}", "/v1/products/:id", "/v1/products/*"])
    func aParameterMatchesExactlyOneSegment(pattern: String) {
        let table = RouteTable()
        table.register(.get, pattern)
        #expect(table.allowedMethods(for: "/v1/products/42") == [.get])
        #expect(table.allowedMethods(for: "/v1/products/abc-def") == [.get])
        #expect(table.allowedMethods(for: "/v1/products").isEmpty)
        #expect(table.allowedMethods(for: "/v1/products/42/reviews").isEmpty)
        #expect(table.allowedMethods(for: "/v1/orders/42").isEmpty)
    }

    @Test func parametersInTheMiddleOfAPattern() {
        let table = RouteTable()
        table.register(.post, "/v1/orders/{orderID}/items/:itemID/cancel")
        #expect(table.allowedMethods(for: "/v1/orders/o1/items/i2/cancel") == [.post])
        #expect(table.allowedMethods(for: "/v1/orders/o1/items/i2").isEmpty)
        #expect(table.allowedMethods(for: "/v1/orders/o1/lines/i2/cancel").isEmpty)
    }

    @Test func aRecursiveWildcardMatchesTheRest() {
        let table = RouteTable()
        table.register(.get, "/static/**")
        #expect(table.allowedMethods(for: "/static/app.js") == [.get])
        #expect(table.allowedMethods(for: "/static/css/deep/site.css") == [.get])
        #expect(table.allowedMethods(for: "/other/app.js").isEmpty)
    }

    @Test func theRootPath() {
        let table = RouteTable()
        table.register(.get, "/")
        #expect(table.allowedMethods(for: "/") == [.get])
        #expect(table.allowedMethods(for: "/anything").isEmpty)
    }

    @Test func methodsComeInRegistrationOrderWithoutDuplicates() {
        let table = RouteTable()
        table.register(.get, "/v1/products/{id}")
        table.register(.put, "/v1/products/{id}")
        table.register(.get, "/v1/products/:productID")
        table.register(.delete, "/v1/products/*")
        table.register(.post, "/v1/products")
        #expect(table.allowedMethods(for: "/v1/products/7") == [.get, .put, .delete])
        #expect(table.allowedMethods(for: "/v1/products") == [.post])
    }

    @Test func anEmptyTableAllowsNothing() {
        #expect(RouteTable().allowedMethods(for: "/v1/products").isEmpty)
    }

    @Test func anHTTPRouteUnderInternalCannotBeRegistered() async {
        // Internal operations are gRPC methods; the process stops before it serves one.
        await #expect(processExitsWith: .failure) {
            let routes = ServiceRoutes(maxBodyBytes: 1024)
            routes.post("/internal/anything") { _, _ in "reachable by any service" }
        }
        await #expect(processExitsWith: .success) {
            let routes = ServiceRoutes(maxBodyBytes: 1024)
            routes.post("/v1/internals") { _, _ in "an ordinary route" }
        }
    }
}
