import ServiceKit

await ServiceRuntime.main(NotificationService.self)
