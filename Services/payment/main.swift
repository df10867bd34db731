import ServiceKit

await ServiceRuntime.main(PaymentService.self)
