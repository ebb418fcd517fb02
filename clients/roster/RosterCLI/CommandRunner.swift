internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterRPC

/// What a command body works with besides the client.
struct CommandContext: Sendable {
    var connection: ResolvedConnection
    var console: Console
    /// The process environment the options were resolved against.
    var environment: [String: String]
    var json: Bool { connection.json }

    /// Prints a JSON document on one line.
    func printJSON(_ value: JSONValue) {
        console.print(value.rendered)
    }
}

/// Runs command bodies against a server and turns every failure into an `error:` message, a
/// next-step hint and the exit code of ``RosterExitCode``.
enum CommandRunner {
    /// Resolves `options` against the process environment, connects, runs `body` and exits with
    /// the code `body` returns.
    static func run(
        _ options: ConnectionOptions,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (RosterClient, CommandContext) async throws -> ExitCode
    ) async throws {
        let console = Console.standard(environment: environment)
        var address =
            nonEmpty(options.address) ?? nonEmpty(environment["ROSTER_ADDRESS"]) ?? ConnectionOptions.defaultAddress
        let exitCode: ExitCode
        do {
            let connection = try options.resolve(environment: environment)
            address = connection.address
            let context = CommandContext(connection: connection, console: console, environment: environment)
            exitCode = try await withRosterClient(connection.clientConfiguration) { client in
                try await body(client, context)
            }
        } catch let error as RPCError {
            exitCode = report(ErrorReport(error, address: address), json: options.json, console: console)
        } catch let failure as CLIFailure {
            exitCode = report(ErrorReport(failure), json: options.json, console: console)
        } catch let exit as ExitCode {
            exitCode = exit
        } catch {
            exitCode = report(
                ErrorReport(CLIFailure("\(error)", exitCode: RosterExitCode.failure)),
                json: options.json,
                console: console
            )
        }
        if exitCode != .success { throw exitCode }
    }

    private static func report(_ report: ErrorReport, json: Bool, console: Console) -> ExitCode {
        if json {
            console.printError(report.json.rendered)
        } else {
            report.textLines.forEach(console.printError)
        }
        return report.exitCode
    }
}
