import Foundation

/// The download half of the floor: one `curl` process fetching the same delta pages rosterd's
/// `GraphDirectory` fetches (`/v1.0/users/delta?$select=…` then each `@odata.nextLink`), with a
/// bearer token from the double's token endpoint, over one keep-alive connection, to /dev/null.
struct CurlFloor {
    static let select = [
        "id", "userPrincipalName", "mail", "displayName", "givenName", "surname", "jobTitle", "department",
        "companyName", "officeLocation", "businessPhones", "mobilePhone", "faxNumber", "streetAddress", "city",
        "state", "postalCode", "country", "onPremisesExtensionAttributes", "accountEnabled", "userType",
    ].joined(separator: ",")

    let token: String
    let urls: [String]
    let pageSize: Int
    let bytes: Int

    /// Gets a token, reads the first page's next link, derives the chain, then downloads the whole
    /// chain once (untimed: the warm-up) into files and checks that each page links to the next.
    init(base: String, users: Int) throws {
        let answer = try Shell.run("/usr/bin/curl", [
            "-sf", "-d", "client_id=roster-app&client_secret=double-secret&scope=\(base)/.default&grant_type=client_credentials",
            "\(base)/double-tenant/oauth2/v2.0/token",
        ])
        guard let json = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any],
            let token = json["access_token"] as? String
        else { throw BenchError("no token: \(answer)") }
        self.token = token
        self.base = base

        let first = "\(base)/v1.0/users/delta?$select=\(Self.select)"
        let firstPage = try Shell.run("/usr/bin/curl", ["-sgf", "-H", "Authorization: Bearer \(token)", first])
        guard let next = Self.link("@odata.nextLink", in: Substring(firstPage.prefix(4096))),
            let range = next.range(of: "$skiptoken=")
        else { throw BenchError("first delta page has no nextLink") }
        let tokenValue = next[range.upperBound...].prefix { $0 != "&" }
        let parts = tokenValue.split(separator: ".")
        guard parts.count == 3, let size = Int(parts[2]) else { throw BenchError("unexpected skiptoken \(tokenValue)") }
        pageSize = size
        var urls = [first]
        var offset = size
        while offset < users {
            urls.append(next.replacingOccurrences(of: "$skiptoken=\(tokenValue)", with: "$skiptoken=\(parts[0]).\(parts[1]).\(offset)"))
            offset += size
        }
        self.urls = urls

        // Warm-up and validation: every page saved, each must link to the next, the last carries a deltaLink.
        let directory = NSTemporaryDirectory() + "roster-sync-bench-curl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = ["-sgf", "-H", "Authorization: Bearer \(token)", "-H", "x-ms-throttle-priority: low"]
        for (index, url) in urls.enumerated() { arguments += ["-o", "\(directory)/\(index).json", url] }
        try Shell.run("/usr/bin/curl", arguments)
        var bytes = 0
        for index in urls.indices {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(index).json"))
            bytes += data.count
            let head = Substring(String(decoding: data.prefix(4096), as: UTF8.self))
            if index + 1 < urls.count {
                guard Self.link("@odata.nextLink", in: head) == urls[index + 1] else {
                    throw BenchError("page \(index) does not link to the derived URL \(urls[index + 1])")
                }
            } else {
                guard Self.link("@odata.deltaLink", in: head) != nil else { throw BenchError("the last page has no deltaLink") }
            }
        }
        self.bytes = bytes
    }

    let base: String

    /// The double's current version, read from a fresh delta query's first next link.
    func currentVersion() throws -> String {
        let page = try Shell.run("/usr/bin/curl", ["-sgf", "-H", "Authorization: Bearer \(token)", urls[0]])
        guard let next = Self.link("@odata.nextLink", in: Substring(page.prefix(4096))),
            let range = next.range(of: "$skiptoken=")
        else { throw BenchError("no nextLink") }
        let parts = next[range.upperBound...].prefix { $0 != "&" }.split(separator: ".")
        guard parts.count == 3 else { throw BenchError("unexpected skiptoken in \(next)") }
        return String(parts[1])
    }

    /// The changes since `version` (a delta link's token): the chain derived from its first page
    /// (untimed), then one timed curl process fetching every page of it.
    func timedDeltaDownload(since version: String) throws -> (seconds: Double, pages: Int) {
        let first = "\(base)/v1.0/users/delta?$deltatoken=\(version)&$select=\(Self.select)"
        let page = try Shell.run("/usr/bin/curl", ["-sgf", "-H", "Authorization: Bearer \(token)", first])
        var chain = [first]
        if let next = Self.link("@odata.nextLink", in: Substring(page.prefix(4096))), let range = next.range(of: "$skiptoken=") {
            let value = next[range.upperBound...].prefix { $0 != "&" }
            let parts = value.split(separator: ".")
            guard parts.count == 3, let size = Int(parts[2]) else { throw BenchError("unexpected skiptoken \(value)") }
            var offset = size
            // At most 100 pages; the double's answer ends the chain with a deltaLink, past which curl gets an empty page.
            while chain.count < 100 {
                chain.append(next.replacingOccurrences(of: "$skiptoken=\(value)", with: "$skiptoken=\(parts[0]).\(parts[1]).\(offset)"))
                offset += size
                let probe = try Shell.run("/usr/bin/curl", ["-sgf", "-H", "Authorization: Bearer \(token)", chain.last!])
                if Self.link("@odata.deltaLink", in: Substring(probe.prefix(4096))) != nil { break }
            }
        }
        var arguments = ["-sgf", "-H", "Authorization: Bearer \(token)", "-H", "x-ms-throttle-priority: low"]
        for url in chain { arguments += ["-o", "/dev/null", url] }
        let start = clock.now
        try Shell.run("/usr/bin/curl", arguments)
        return (secondsOf(clock.now - start), chain.count)
    }

    /// Wall time of one curl process downloading the chain to /dev/null.
    func timedDownload() throws -> Double {
        var arguments = ["-sgf", "-H", "Authorization: Bearer \(token)", "-H", "x-ms-throttle-priority: low"]
        for url in urls { arguments += ["-o", "/dev/null", url] }
        let start = clock.now
        try Shell.run("/usr/bin/curl", arguments)
        return secondsOf(clock.now - start)
    }

    static func link(_ name: String, in text: Substring) -> String? {
        guard let range = text.range(of: "\"\(name)\":\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The store half of the floor: the `sqlite3` CLI inserting the very rows rosterd stored, into
/// the same `tenants` + `contacts` schema (indexes included, copied from rosterd's `sqlite_master`)
/// with the store's pragmas, in one transaction (as roster-store-bench does).
enum SQLiteFloor {
    static let pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA foreign_keys = ON;
        PRAGMA cache_size = -65536;
        PRAGMA temp_store = MEMORY;
        """

    /// Writes `cli-insert.sql` (pragmas, schema, the tenant row, BEGIN, one INSERT per contact, COMMIT).
    static func makeScript(from database: String, into directory: String) throws -> String {
        let file = directory + "/cli-insert.sql"
        let quoted = "'" + database.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let schemaQuery = "SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('tenants', 'contacts') AND sql IS NOT NULL ORDER BY type DESC, name"
        let script = """
            {
            cat <<'EOF'
            \(pragmas)
            EOF
            /usr/bin/sqlite3 -readonly \(quoted) "\(schemaQuery)"
            /usr/bin/sqlite3 -readonly -cmd '.mode insert tenants' \(quoted) 'SELECT * FROM tenants'
            echo 'BEGIN;'
            /usr/bin/sqlite3 -readonly -cmd '.mode insert contacts' \(quoted) 'SELECT * FROM contacts'
            echo 'COMMIT;'
            } > '\(file)'
            """
        try Shell.run("/bin/sh", ["-c", script])
        return file
    }

    /// Wall time of `sqlite3 -bail DATABASE < SCRIPT` (start-up included); checks the row count.
    static func timedInsert(script: String, database: String, expect: Int) throws -> Double {
        try? FileManager.default.removeItem(atPath: database)
        let start = clock.now
        try Shell.run("/usr/bin/sqlite3", ["-bail", database], stdin: script)
        let elapsed = secondsOf(clock.now - start)
        let count = try Shell.run("/usr/bin/sqlite3", [database, "SELECT count(*) FROM contacts"])
        guard Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) == expect else {
            throw BenchError("sqlite3 inserted \(count) rows, expected \(expect)")
        }
        return elapsed
    }
}
