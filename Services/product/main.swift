import ServiceKit

await ServiceRuntime.main(ProductService.self)
