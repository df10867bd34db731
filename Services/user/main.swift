import ServiceKit

await ServiceRuntime.main(UserService.self)
