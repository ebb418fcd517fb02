import ArgumentParser
internal import Foundation
import RosterPostgres
import RosterStore
import SecretFiles

/// Where the store is, shared by `serve` and the admin subcommands: PostgreSQL with `--store
/// postgres://…`, otherwise SQLite in the data directory. The PostgreSQL password never comes
/// from the command line: ROSTERD_STORE_PASSWORD, or a file only its owner may read.
struct StoreOption: ParsableArguments {
    @Option(
        help: """
            PostgreSQL store, postgres://USER@HOST:PORT/DATABASE[?sslmode=require|verify-full] (env \
            ROSTERD_STORE; default: SQLite in the data directory). Its password: ROSTERD_STORE_PASSWORD \
            or --store-password-file, never the URL.
            """
    )
    var store: String?

    @Option(help: "File holding the PostgreSQL password, mode 0600 (env ROSTERD_STORE_PASSWORD_FILE).")
    var storePasswordFile: String?

    /// The PostgreSQL store to use, or nil for SQLite in the data directory: the flags, then the
    /// environment, then `serve`'s configuration file (`file`).
    func postgres(environment: [String: String], file: ConfigurationFile.Store? = nil) throws
        -> PostgresStoreConfiguration?
    {
        guard let url = store ?? environment["ROSTERD_STORE"] ?? file?.url else {
            guard storePasswordFile == nil, file?.passwordFile == nil else {
                throw ValidationError(
                    "a store password file is for a PostgreSQL store: give --store postgres://… (or store.url) too"
                )
            }
            return nil
        }
        let passwordFile = storePasswordFile ?? environment["ROSTERD_STORE_PASSWORD_FILE"] ?? file?.passwordFile
        return try Self.postgres(url: url, passwordFile: passwordFile, environment: environment)
    }

    /// The PostgreSQL store at `url`, with its password from ROSTERD_STORE_PASSWORD or from the file
    /// `passwordFile` (or ROSTERD_STORE_PASSWORD_FILE names).
    static func postgres(url: String, passwordFile: String?, environment: [String: String]) throws
        -> PostgresStoreConfiguration
    {
        var configuration: PostgresStoreConfiguration
        do {
            configuration = try PostgresStoreConfiguration(url: url)
        } catch {
            throw ValidationError(error.message)
        }
        let passwordFile = passwordFile ?? environment["ROSTERD_STORE_PASSWORD_FILE"]
        switch (environment["ROSTERD_STORE_PASSWORD"], passwordFile) {
        case (_?, _?):
            throw ValidationError(
                "both ROSTERD_STORE_PASSWORD and a store password file are set; keep one of them"
            )
        case (let password?, nil):
            configuration.password = password
        case (nil, let path?):
            configuration.password = try Self.password(inFile: path)
        case (nil, nil):
            break  // trust or peer authentication, or a password the server does not ask for
        }
        return configuration
    }

    /// The file's first line: a password file written by `echo` ends with a newline that is not
    /// part of the password. Refused when others may read it.
    static func password(inFile path: String) throws -> String {
        let bytes: [UInt8]
        do throws(SecretFileError) {
            bytes = try SecretFile.contents(of: path, ownerOnly: true)
        } catch {
            throw ValidationError("the store password file: \(error)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// Opens the PostgreSQL store `configuration` with the master key of `dataDirectory`.
    static func openPostgres(_ configuration: PostgresStoreConfiguration, dataDirectory: String) async throws
        -> any ClosableStore
    {
        let key = try MasterKey.loadOrCreate(inDirectory: dataDirectory)
        return try await PostgresStore.open(configuration: configuration, masterKey: key)
    }
}
