import ServiceKit

if CommandLine.arguments.dropFirst().first == "rebuild-read-model" {
    await ReadModelRebuild.run()
} else {
    await ServiceRuntime.main(OrderService.self)
}
