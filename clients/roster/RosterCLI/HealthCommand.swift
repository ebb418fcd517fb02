internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster health [SERVICE]`: the server's health, as a load balancer asks it (no API key needed).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask whether the server (or one of its services) is serving; exit 0 only when it is.",
        discussion: """
            Asks roster.health.v1.Health/Check, which needs no API key. SERVICE is "" (the whole
            server, the default) or a service's full name, e.g. roster.v1.Roster. Exit code 2 when
            the answer is NOT_SERVING (e.g. the server is shutting down), 15 when the server does
            not know the service, 24 when it cannot be reached.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The service to ask about (default: the whole server).")
    var service: String = ""

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let response = try await client.call(HealthMethods.check, HealthCheckRequest(service: service))
            if context.json {
                context.printJSON(
                    .object([("service", .string(service)), ("status", .string(response.status.description))])
                )
            } else {
                context.console.print("\(service.isEmpty ? "the server" : service): \(response.status)")
            }
            return response.status == .serving ? .success : RosterExitCode.notServing
        }
    }
}
