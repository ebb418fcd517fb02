import ArgumentParser
internal import Foundation
import RosterStore

// Subcommands on the store: run them on the server host (they open the data directory, and the
// PostgreSQL store when --store names one, directly; a running rosterd sees the change at once,
// and a revoked key within 5 seconds).

/// The data directory and store options shared by the admin subcommands.
struct DataDirectoryOption: ParsableArguments {
    /// The directory `serve` would use with the same flags, environment and configuration file.
    func directory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let file = try (config ?? environment["ROSTERD_CONFIG"]).map(ConfigurationFile.load)
        return dataDir ?? environment["ROSTERD_DATA_DIR"] ?? file?.dataDirectory ?? "roster-data"
    }

    @Option(help: "Data directory (env ROSTERD_DATA_DIR, or the configuration file's; default ./roster-data).")
    var dataDir: String?

    @Option(help: "The JSON configuration file `serve` uses (env ROSTERD_CONFIG), for its data directory.")
    var config: String?

    @OptionGroup var storeOption: StoreOption

    /// Opens the store `serve` would use with the same flags, environment and configuration file:
    /// SQLite in the data directory, or PostgreSQL with the directory's master key (the directory
    /// is created for `tenants add`).
    func openStore(create: Bool = false) async throws -> any ClosableStore {
        let environment = ProcessInfo.processInfo.environment
        let postgres = try storeOption.postgres(environment: environment)
        let directory = try directory()
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard create else {
                throw ValidationError(
                    "no data directory at \(directory); pass --data-dir (or ROSTERD_DATA_DIR), or add a tenant first"
                )
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if let postgres {
            return try await StoreOption.openPostgres(postgres, dataDirectory: directory)
        }
        return try SQLiteStore(configuration: SQLiteStore.Configuration(directory: directory))
    }
}

var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add and list tenants (one per organization).",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a tenant, and print its first admin key (shown once)."
        )

        @Argument(help: "The tenant's id: letters, digits, '-' and '_' (e.g. acme).")
        var id: String

        @Option(help: "The organization's name, for operators.")
        var name: String?

        @Flag(help: "Do not mint the first admin key.")
        var noAdminKey = false

        @OptionGroup var data: DataDirectoryOption

        func validate() throws {
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_"))
            guard !id.isEmpty, id.count <= 64, id.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII })
            else {
                throw ValidationError("a tenant id is 1-64 ASCII letters, digits, '-' or '_'")
            }
        }

        func run() async throws {
            let store = try await data.openStore(create: true)
            try await store.createTenant(
                TenantRecord(
                    id: id,
                    displayName: name ?? id,
                    authorityURL: "https://login.microsoftonline.com",
                    graphBaseURL: "https://graph.microsoft.com",
                    createdAt: nowMilliseconds
                )
            )
            print("tenant \(id) added")
            if !noAdminKey {
                let (key, token) = try await store.createAPIKey(
                    tenant: id,
                    role: .admin,
                    label: "first admin",
                    now: nowMilliseconds
                )
                print("admin key \(key.id) (shown once, keep it secret):")
                print(token)
            }
            await store.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants and their connection state.")

        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            let store = try await data.openStore()
            let tenants = try await store.tenants()
            if tenants.isEmpty { print("no tenants; add one with `rosterd tenants add ID`") }
            for tenant in tenants {
                print("\(tenant.id)\t\(tenant.displayName)\t\(tenant.connectionState.rawValue)")
            }
            await store.close()
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint, list and revoke a tenant's API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint a key and print it (shown once).")

        @Option(help: "The tenant the key belongs to.")
        var tenant: String

        @Option(help: "admin, editor or reader.")
        var role: String

        @Option(help: "A note for operators, e.g. \"signature service\".")
        var label = ""

        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            guard let role = APIKeyRole(rawValue: role) else {
                throw ValidationError("role must be admin, editor or reader")
            }
            let store = try await data.openStore()
            let (key, token) = try await store.createAPIKey(
                tenant: tenant,
                role: role,
                label: label,
                now: nowMilliseconds
            )
            print("\(role.rawValue) key \(key.id) for tenant \(tenant) (shown once, keep it secret):")
            print(token)
            await store.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (never the keys themselves).")

        @Option(help: "The tenant.")
        var tenant: String

        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            let store = try await data.openStore()
            let keys = try await store.apiKeys(tenant: tenant)
            if keys.isEmpty { print("tenant \(tenant) has no keys; mint one with `rosterd keys create`") }
            for key in keys {
                let created = Date(timeIntervalSince1970: Double(key.createdAt) / 1_000).ISO8601Format()
                let state = key.revokedAt == nil ? "active" : "revoked"
                print("\(key.id)\t\(key.role.rawValue)\t\(state)\t\(created)\t\(key.label)")
            }
            await store.close()
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key; a running rosterd refuses it within 5 seconds."
        )

        @Option(help: "The tenant.")
        var tenant: String

        @Argument(help: "The key id (from `rosterd keys list`).")
        var keyID: String

        @OptionGroup var data: DataDirectoryOption

        func run() async throws {
            let store = try await data.openStore()
            let revoked = try await store.revokeAPIKey(id: keyID, tenant: tenant, now: nowMilliseconds)
            await store.close()
            guard revoked else {
                throw ValidationError(
                    "tenant \(tenant) has no active key \(keyID); see `rosterd keys list --tenant \(tenant)`"
                )
            }
            print("key \(keyID) revoked")
        }
    }
}
