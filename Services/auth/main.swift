import ServiceKit

await ServiceRuntime.main(AuthService.self)
