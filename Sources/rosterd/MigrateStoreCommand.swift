import ArgumentParser
internal import Foundation
import RosterPostgres
import RosterServer
import RosterStore

/// `rosterd migrate-store --from DATA_DIR --to postgres://…`: the move from one rosterd on SQLite
/// to replicas on PostgreSQL (README, "Moving from SQLite").
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy a data directory's SQLite store into an empty PostgreSQL database.",
        discussion: """
            Copies every tenant (directory connection, sealed client secret, scope, settings, schedule, \
            delta link), every API key (a key that worked works, a revoked one stays revoked), the \
            contacts byte for byte with their local overrides, the cached groups and the sync job \
            history, in ONE transaction: on \
            any failure nothing is written and the command can simply run again. The SQLite store is \
            only read. Stop the rosterd serving DATA_DIR first: the command takes its lock and refuses \
            while a server holds it. A target database that holds any tenant is refused.

            Client secrets are copied still sealed with DATA_DIR/master.key: every rosterd serving the \
            PostgreSQL store needs that same master.key (mode 0600) in its own --data-dir.

            Exit status: 0 copied; 1 refused or failed (nothing copied); 64 wrong options.
            """
    )

    @Option(help: "The data directory of the SQLite store: the --data-dir `rosterd serve` used.")
    var from: String

    @Option(
        help: """
            The PostgreSQL database, postgres://USER@HOST:PORT/DATABASE[?sslmode=require|verify-full]; \
            its password: ROSTERD_STORE_PASSWORD or --store-password-file, never the URL.
            """
    )
    var to: String

    @Option(help: "File holding the PostgreSQL password, mode 0600 (env ROSTERD_STORE_PASSWORD_FILE).")
    var storePasswordFile: String?

    func run() async throws {
        let target = try StoreOption.postgres(
            url: to,
            passwordFile: storePasswordFile,
            environment: ProcessInfo.processInfo.environment
        )
        let database = SQLiteStore.Configuration(directory: from).databasePath
        guard FileManager.default.fileExists(atPath: database) else {
            throw ValidationError("no SQLite store at \(database); --from names the --data-dir of `rosterd serve`")
        }
        let keyPath = (from as NSString).appendingPathComponent(MasterKey.fileName)
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw Failure(
                "no master key at \(keyPath): the store's client secrets are sealed with it; restore it from backup, "
                    + "then run migrate-store again"
            )
        }
        let lock: DataDirectoryLock
        do throws(DataDirectoryLock.LockError) {
            lock = try DataDirectoryLock.acquire(directory: from)
        } catch {
            throw Self.refusal(error, directory: from)
        }
        defer { lock.release() }
        print("copying \(database) into \(target) (one transaction)")
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await copy(into: target)
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print(Self.summary(report, seconds: seconds))
        print(
            """
            The client secrets stay sealed with \(keyPath): put that same file (mode 0600) in the --data-dir of \
            every rosterd serving \(target), and start them with --store. Do not start rosterd on \(from) without \
            --store again: its SQLite store no longer follows the directory.
            """
        )
    }

    /// Opens both stores, copies, closes them; a store error comes out as a ``Failure`` (exit 1).
    private func copy(into target: PostgresStoreConfiguration) async throws -> StoreMigration.Report {
        let source: SQLiteStore
        let destination: PostgresStore
        do throws(StoreError) {
            source = try SQLiteStore(configuration: SQLiteStore.Configuration(directory: from))
            do throws(StoreError) {
                let key = try MasterKey.loadOrCreate(inDirectory: from)
                destination = try await PostgresStore.open(configuration: target, masterKey: key)
            } catch {
                await source.close()
                throw error
            }
        } catch {
            throw Failure(error.message)
        }
        do throws(StoreError) {
            let report = try await StoreMigration.copy(from: source, to: destination, now: nowMilliseconds) {
                print(Self.line($0))
            }
            await destination.close()
            await source.close()
            return report
        } catch {
            await destination.close()
            await source.close()
            throw Failure(error.message)
        }
    }

    /// The closing lines: what was copied, and what needs the operator's eye.
    static func summary(_ report: StoreMigration.Report, seconds: Double) -> String {
        var lines = [
            "copied \(count(report.tenants.count, "tenant")) (\(count(report.clientSecrets, "sealed client secret"))), "
                + "\(count(report.apiKeys, "API key")) (\(report.revokedAPIKeys) revoked), "
                + "\(count(report.contacts, "contact"))\(overrides(report.overrides)), "
                + "\(count(report.photos, "photo")), \(count(report.groups, "group")), "
                + "\(count(report.jobs, "sync job")) in \(String(format: "%.1f", seconds)) s"
        ]
        if !report.interruptedJobs.isEmpty {
            lines.append(
                "\(count(report.interruptedJobs.count, "sync job")) unfinished in the SQLite store (its server stopped "
                    + "during them) are INTERRUPTED in the copy: \(report.interruptedJobs.joined(separator: ", "))"
            )
        }
        if !report.unreadableSecrets.isEmpty {
            lines.append(
                "warning: the client secrets of \(report.unreadableSecrets.joined(separator: ", ")) do not open with "
                    + "this master.key (they did not in SQLite either); copied as they were: run `roster connect` "
                    + "for those tenants with their secrets"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// One tenant's line, printed once its contacts are in.
    static func line(_ tenant: StoreMigration.Report.Tenant) -> String {
        "tenant \(tenant.id): \(count(tenant.contacts, "contact"))\(overrides(tenant.overrides)), "
            + "\(count(tenant.photos, "photo")), "
            + "\(count(tenant.groups, "group")), "
            + "\(count(tenant.apiKeys, "API key")), \(count(tenant.jobs, "sync job"))"
    }

    /// " (2 local overrides)" after the contacts that carry them; nothing when none do.
    private static func overrides(_ number: Int) -> String {
        number == 0 ? "" : " (\(count(number, "local override")))"
    }

    /// "1 group", "2 groups".
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// Why the data directory's lock could not be taken, and what to do.
    private static func refusal(_ error: DataDirectoryLock.LockError, directory: String) -> Failure {
        guard error.isHeld else { return Failure(error.description) }
        return Failure(
            "rosterd\(error.holder.map { " (process \($0))" } ?? "") is serving \(directory); stop it, then run "
                + "migrate-store again (a server still running on the SQLite store would change it after the copy)"
        )
    }

    /// A refusal or failure: printed as `Error: <message>`, exit status 1.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
