internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterWire

/// `roster keys create|list|revoke`: an admin manages the tenant's API keys over RPC.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the tenant's API keys (admin).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `roster keys create --role ROLE --label TEXT [--expires-in-days N]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a key; it is printed once and stored only as a hash."
        )

        @OptionGroup var connection: ConnectionOptions

        @Option(help: "admin, editor or reader.")
        var role: String

        @Option(help: "What the key is for, e.g. \"signature service, prod\" (1-200 characters).")
        var label: String

        @Option(help: "The key stops working after this many days (default: never).")
        var expiresInDays: Int?

        func validate() throws {
            guard Self.role(role) != nil else { throw ValidationError("--role must be admin, editor or reader") }
            if let days = expiresInDays, !(1...3_650).contains(days) {
                throw ValidationError("--expires-in-days must be between 1 and 3650")
            }
        }

        static func role(_ text: String) -> Role? {
            ["admin": Role.admin, "editor": .editor, "reader": .reader][text.lowercased()]
        }

        func run() async throws {
            let expires =
                expiresInDays.map { Int64(Date().timeIntervalSince1970 * 1_000) + Int64($0) * 86_400_000 } ?? 0
            try await CommandRunner.run(connection) { client, context in
                let response = try await client.createAPIKey(
                    role: Self.role(role) ?? .reader,
                    label: label,
                    expiresUnixMs: expires
                )
                guard let key = response.key else {
                    throw CLIFailure("the server returned no key", exitCode: RosterExitCode.failure)
                }
                if context.json {
                    context.printJSON(.object([("key", JSONOutput.apiKey(key)), ("token", .string(response.token))]))
                } else {
                    context.console.print(response.token)
                    context.console.print(
                        "Key \(key.id) (\(TextFormat.name(key.role)), \"\(key.label)\"\(key.expiresUnixMs != 0 ? ", expires \(TextFormat.time(unixMs: key.expiresUnixMs))" : "")): "
                            + "keep it now; it is not shown again."
                    )
                }
                return .success
            }
        }
    }

    /// `roster keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The tenant's keys, revoked and expired ones included."
        )

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await CommandRunner.run(connection) { client, context in
                let keys = try await client.listAPIKeys().keys
                if context.json {
                    context.printJSON(.object([("keys", .array(keys.map(JSONOutput.apiKey)))]))
                } else {
                    TextFormat.table(
                        ["id", "role", "label", "created", "expires", "revoked", "last used"],
                        keys.map(Self.row)
                    )
                    .forEach(context.console.print)
                }
                return .success
            }
        }

        static func row(_ key: APIKey) -> [String] {
            func time(_ ms: Int64) -> String { ms == 0 ? "-" : TextFormat.time(unixMs: ms) }
            return [
                key.id, TextFormat.name(key.role), key.label, time(key.createdUnixMs), time(key.expiresUnixMs),
                time(key.revokedUnixMs), time(key.lastUsedUnixMs),
            ]
        }
    }

    /// `roster keys revoke ID`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The key's id (`roster keys list`).")
        var id: String

        func run() async throws {
            try await CommandRunner.run(connection) { client, context in
                let response = try await client.revokeAPIKey(id: id)
                guard let key = response.key else {
                    throw CLIFailure("the server returned no key", exitCode: RosterExitCode.failure)
                }
                if context.json {
                    context.printJSON(JSONOutput.apiKey(key))
                } else {
                    context.console.print("Key \(key.id) (\"\(key.label)\") is revoked.")
                }
                return .success
            }
        }
    }
}
