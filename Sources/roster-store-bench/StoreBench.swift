import Foundation
import RosterStore
import RosterStoreTestSupport

/// Times the store's bulk paths against the sqlite3 CLI on the same rows, in one run.
///
/// `swift run -c release roster-store-bench [ROWS] [RUNS]` (defaults 100000 and 3); with `reads`
/// first, GetContact's latency during a sync instead (``ReadsDuringApply``); with `search` first,
/// ListContacts' search latency over ROWS contacts (``SearchLatency``). Per run:
/// stage ROWS contacts in pages of 999 and apply them into an empty store; stage a full set with
/// a 1% change (a third removed, a third added, a third updated) and apply it into the full store;
/// stage and apply the same 1% as a delta; and time `sqlite3` inserting the same ROWS rows into an
/// identical `contacts` table (same indexes and pragmas: WAL, synchronous=NORMAL, foreign keys on, 64 MiB
/// page cache) in one
/// transaction from a file of INSERT statements, and with `.import` from CSV. Prints median (min–max) of each measure.
@main
struct StoreBench {
    static let tenant = "bench"

    static func main() async throws {
        var arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "search" {
            arguments.remove(at: 1)
            return try await SearchLatency.run(rows: arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000)
        }
        if arguments.count > 1, arguments[1] == "reads" {
            arguments.remove(at: 1)
            let rows = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
            return try await ReadsDuringApply.run(rows: rows, runs: arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3)
        }
        let rows = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
        let runs = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
        let full = SampleContacts.contacts(0..<rows)
        let change = max(3, rows / 100) / 3
        // Full-sync 1%: the first `change` removed, `change` added at the end, `change` updated.
        let stride = max(1, (rows - change) / change)
        let changedNumbers = Set((change..<rows).filter { ($0 - change) % stride == 0 }.prefix(change))
        let next = (change..<(rows + change)).map {
            SampleContacts.contact($0, version: changedNumbers.contains($0) ? 1 : 0)
        }
        // Delta 1% on top of that: `change` more added, the updated ones changed back, `change` removed.
        let deltaUpserts =
            ((rows + change)..<(rows + 2 * change)).map { SampleContacts.contact($0) }
            + changedNumbers.sorted().map { SampleContacts.contact($0, version: 0) }
        let deltaRemovals = Array(
            (change..<rows).lazy.filter { !changedNumbers.contains($0) }.prefix(change).map(SampleContacts.guid)
        )

        var measures: [String: [Double]] = [:]
        for run in 1...runs {
            let (store, directory) = try await makeStore(tenants: [tenant])
            defer { try? FileManager.default.removeItem(atPath: directory) }

            measures["stage \(rows)", default: []].append(
                try await time { try await stage(store, job: "empty", full, []) }
            )
            var counts = ApplyCounts()
            measures["apply \(rows) into empty", default: []].append(
                try await time {
                    counts = try await store.apply(
                        job: "empty",
                        tenant: tenant,
                        kind: .replaceAll,
                        now: 1,
                        deltaLink: nil
                    )
                }
            )
            check(counts.added == rows, "apply into empty added \(counts.added)")

            measures["stage \(rows) (1% changed)", default: []].append(
                try await time { try await stage(store, job: "full", next, []) }
            )
            measures["apply full sync, 1% changed", default: []].append(
                try await time {
                    counts = try await store.apply(
                        job: "full",
                        tenant: tenant,
                        kind: .replaceAll,
                        now: 2,
                        deltaLink: nil
                    )
                }
            )
            check(
                counts.added == change && counts.removed == change && counts.updated == change,
                "full 1% counts \(counts)"
            )

            measures["stage delta \(deltaUpserts.count + deltaRemovals.count)", default: []].append(
                try await time { try await stage(store, job: "delta", deltaUpserts, deltaRemovals) }
            )
            measures["apply delta, 1% changed", default: []].append(
                try await time {
                    counts = try await store.apply(
                        job: "delta",
                        tenant: tenant,
                        kind: .incremental,
                        now: 3,
                        deltaLink: nil
                    )
                }
            )
            check(
                counts.added == change && counts.removed == change && counts.updated == change,
                "delta 1% counts \(counts)"
            )

            let schema = try await schemaStatements(directory: directory)
            await store.close()
            measures["sqlite3 CLI insert \(rows)", default: []].append(
                try cli(full, schema: schema, directory: directory)
            )
            measures["sqlite3 CLI .import \(rows) (CSV)", default: []].append(
                try cliImport(full, schema: schema, directory: directory)
            )
            print("run \(run) of \(runs) done")
        }
        print("\n| measure (\(rows) rows) | median ms | min–max ms |\n| --- | --- | --- |")
        for (name, values) in measures.sorted(by: { $0.key < $1.key }) {
            let sorted = values.sorted()
            print(
                "| \(name) | \(format(sorted[sorted.count / 2])) | \(format(sorted.first!))–\(format(sorted.last!)) |"
            )
        }
        let apply = measures["apply \(rows) into empty"]!.sorted()
        let sqlite = measures["sqlite3 CLI insert \(rows)"]!.sorted()
        let csv = measures["sqlite3 CLI .import \(rows) (CSV)"]!.sorted()
        print(
            "\napply into empty / sqlite3 CLI INSERTs (medians): \(String(format: "%.2f", apply[apply.count / 2] / sqlite[sqlite.count / 2]))x"
        )
        print(
            "apply into empty / sqlite3 CLI .import (medians): \(String(format: "%.2f", apply[apply.count / 2] / csv[csv.count / 2]))x"
        )
    }

    /// A store in a fresh temporary directory (the caller removes it) holding `tenants`, no contacts.
    static func makeStore(tenants: [String]) async throws -> (SQLiteStore, directory: String) {
        let directory = NSTemporaryDirectory() + "roster-store-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(configuration: .init(directory: directory))
        for tenant in tenants {
            try await store.createTenant(
                TenantRecord(
                    id: tenant,
                    displayName: tenant,
                    authorityURL: "https://a",
                    graphBaseURL: "https://g",
                    createdAt: 0
                )
            )
        }
        return (store, directory)
    }

    static func stage(_ store: SQLiteStore, job: String, _ contacts: [ContactRecord], _ removals: [String]) async throws
    {
        var start = 0
        while start < contacts.count {
            let end = min(start + 999, contacts.count)
            try await store.stage(job: job, contacts: Array(contacts[start..<end]), removals: [])
            start = end
        }
        if !removals.isEmpty { try await store.stage(job: job, contacts: [], removals: removals) }
    }

    /// The CREATE statements of `tenants` and `contacts` and their indexes, as the store made them.
    static func schemaStatements(directory: String) async throws -> [String] {
        let connection = try Connection(
            path: directory + "/roster.sqlite",
            readOnly: true,
            busyTimeoutMilliseconds: 1_000
        )
        let select = try connection.cached(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('tenants', 'contacts') AND sql IS NOT NULL ORDER BY type DESC, name"
        )
        var statements: [String] = []
        while try select.step() { statements.append((select.string(0) ?? "") + ";") }
        return statements
    }

    /// The store's own connection settings, so that the CLI runs under the same conditions.
    static let pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA foreign_keys = ON;
        PRAGMA cache_size = -65536;
        PRAGMA temp_store = MEMORY;

        """

    /// Writes the rows as INSERT statements in one transaction and times `sqlite3 DB < FILE`.
    static func cli(_ contacts: [ContactRecord], schema: [String], directory: String) throws -> Double {
        var sql = pragmas
        sql += schema.joined(separator: "\n") + "\n"
        sql +=
            "INSERT INTO tenants (id, display_name, authority_url, graph_base_url, created_at) VALUES ('bench', 'B', 'a', 'g', 0);\n"
        sql += "BEGIN;\n"
        let columns =
            "tenant_id, id, user_principal_name, mail, display_name, given_name, surname, job_title, department, "
            + "company_name, office_location, business_phones, mobile_phone, fax_number, street_address, city, state, "
            + "postal_code, country, " + (1...15).map { "extension_attribute_\($0)" }.joined(separator: ", ")
            + ", changed_at"
        for contact in contacts {
            let values = cliRow(contact)
            sql += "INSERT INTO contacts (\(columns)) VALUES ("
            sql += values.map { $0.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }.joined(
                separator: ", "
            )
            sql += ", 1);\n"
        }
        sql += "COMMIT;\n"
        let file = directory + "/cli-insert.sql"
        try sql.write(toFile: file, atomically: false, encoding: .utf8)
        return try timeSQLite3(database: directory + "/cli.sqlite", input: file)
    }

    /// A contact's column values for the CLI, in the order of the `contacts` columns after
    /// `tenant_id` (without `changed_at`), tenant "bench".
    static func cliRow(_ contact: ContactRecord) -> [String?] {
        [
            "bench", contact.id, contact.userPrincipalName, contact.mail, contact.displayName, contact.givenName,
            contact.surname, contact.jobTitle, contact.department, contact.companyName, contact.officeLocation,
            PhoneList.encode(contact.businessPhones), contact.mobilePhone, contact.faxNumber, contact.streetAddress,
            contact.city, contact.state, contact.postalCode, contact.country,
        ] + contact.extensionAttributes
    }

    /// Writes the rows as CSV and times `sqlite3` running `.import` into the same table: the CLI's
    /// fastest bulk path, without parsing one INSERT per row. (CSV has no NULL: empty text instead.)
    static func cliImport(_ contacts: [ContactRecord], schema: [String], directory: String) throws -> Double {
        var csv = ""
        for contact in contacts {
            let values = cliRow(contact) + ["1"]
            csv += values.map { "\"" + ($0 ?? "").replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(
                separator: ","
            )
            csv += "\n"
        }
        try csv.write(toFile: directory + "/contacts.csv", atomically: false, encoding: .utf8)
        var script = pragmas
        script += schema.joined(separator: "\n") + "\n"
        script +=
            "INSERT INTO tenants (id, display_name, authority_url, graph_base_url, created_at) VALUES ('bench', 'B', 'a', 'g', 0);\n"
        script += "BEGIN;\n.mode csv\n.import \(directory)/contacts.csv contacts\nCOMMIT;\n"
        try script.write(toFile: directory + "/cli-import.sql", atomically: false, encoding: .utf8)
        return try timeSQLite3(database: directory + "/cli-import.sqlite", input: directory + "/cli-import.sql")
    }

    /// Wall time of `sqlite3 DATABASE < INPUT`.
    static func timeSQLite3(database: String, input: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-bail", database]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
        process.standardOutput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        check(process.terminationStatus == 0, "sqlite3 < \(input) exited with \(process.terminationStatus)")
        let count = Process()
        count.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        count.arguments = [database, "SELECT count(*) FROM contacts"]
        let pipe = Pipe()
        count.standardOutput = pipe
        try count.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        count.waitUntilExit()
        check(Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "sqlite3 row count: \(output)")
        return milliseconds(elapsed)
    }

    nonisolated(nonsending) static func time(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return milliseconds(ContinuousClock.now - start)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func check(_ condition: Bool, _ message: String) {
        if !condition {
            FileHandle.standardError.write(Data("roster-store-bench: unexpected result: \(message)\n".utf8))
            exit(1)
        }
    }
}
