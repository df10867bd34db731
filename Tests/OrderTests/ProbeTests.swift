import Testing

@testable import OrderService

struct ProbeTests {
    @Test func probe() {
        #expect(OrderService.descriptor.name == "order")
    }
}
