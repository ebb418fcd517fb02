import Foundation
import GraphTestDouble

/// `graph-double`: serves a directory over HTTP on 127.0.0.1 until killed, for curl benchmarks
/// and manual trials. Prints the bound port alone on the first line of standard output.
///
///     graph-double [--directory FILE | --users N] [--port P] [--tenant T] [--client-id C]
///                  [--secret S] [--roles R1,R2] [--token-lifetime SECONDS]
///                  [--schema-extensions extension_<app id>_<name>,…]
///
/// Without `--directory` or `--users` it serves the bundled demo directory file when run from the
/// repository root (`Sources/RosterDirectory/Resources/demo-directory.json`). Users' schema
/// extension values come from the file; `--schema-extensions` registers more that `$select` may
/// name (others are refused with Graph's 400).
@main
struct GraphDoubleCommand {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var directoryPath = "Sources/RosterDirectory/Resources/demo-directory.json"
        var userCount: Int?
        var port = 0
        var configuration = GraphDouble.Configuration()
        while let flag = arguments.popFirst() {
            guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--directory": directoryPath = value
            case "--users": userCount = number(value, flag)
            case "--port": port = number(value, flag)
            case "--tenant": configuration.tenantID = value
            case "--client-id": configuration.clientID = value
            case "--secret": configuration.clientSecret = value
            case "--roles": configuration.roles = value.split(separator: ",").map(String.init)
            case "--schema-extensions":
                configuration.schemaExtensions = value.split(separator: ",").map(String.init)
            case "--token-lifetime":
                configuration.tokenLifetime = number(value, flag)
            default: fail("unknown option \(flag)")
            }
        }
        let directory: GraphDoubleDirectory
        if let userCount {
            directory = .generated(userCount: userCount)
        } else {
            do {
                directory = try GraphDoubleDirectory(contentsOf: URL(fileURLWithPath: directoryPath))
            } catch {
                fail("cannot read \(directoryPath): \(error); pass --directory FILE or --users N")
            }
        }
        let double = GraphDouble(directory: directory, configuration: configuration)
        let bound = try await double.start(port: port)
        FileHandle.standardOutput.write(Data("\(bound)\n".utf8))
        FileHandle.standardError.write(
            Data(
                """
                graph-double: \(directory.users.count) users, \(directory.groups.count) groups on \(double.baseURL)
                  token: POST \(double.baseURL)/\(configuration.tenantID)/oauth2/v2.0/token \
                (client_id=\(configuration.clientID), client_secret as given by --secret)
                  graph: \(double.baseURL)/v1.0/users

                """.utf8
            )
        )
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    static func number(_ value: String, _ flag: String) -> Int {
        guard let number = Int(value), number >= 0 else { fail("\(flag) takes a whole number, not \(value)") }
        return number
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("graph-double: \(message)\n".utf8))
        exit(2)
    }
}
