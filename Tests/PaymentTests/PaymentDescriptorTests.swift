import Testing

@testable import PaymentService

struct PaymentDescriptorTests {
    @Test func theServiceIsNamedPayment() {
        #expect(PaymentService.descriptor.name == "payment")
        #expect(PaymentService.descriptor.defaultPort == 8085)
    }
}
