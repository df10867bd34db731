import ServiceKit

await ServiceRuntime.main(Gateway.self)
