import ServiceKit

await ServiceRuntime.main(OrderService.self)
