import Testing

@testable import NotificationService

struct NotificationDescriptorTests {
    @Test func theServiceIsNamedNotification() {
        #expect(NotificationService.descriptor.name == "notification")
        #expect(NotificationService.descriptor.defaultPort == 8086)
    }
}
