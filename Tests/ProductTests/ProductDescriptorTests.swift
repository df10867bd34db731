import Testing

@testable import ProductService

struct ProductDescriptorTests {
    @Test func theServiceIsNamedProduct() {
        #expect(ProductService.descriptor.name == "product")
        #expect(ProductService.descriptor.defaultPort == 8083)
    }
}
