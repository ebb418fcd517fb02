import Foundation

/// The download half of the floor: one `curl` process fetching the same pages rosterd's
/// `GraphDirectory` fetches for a full sync (`/v1.0/users?$select=…&$top=999`, then each
/// `@odata.nextLink`), with a bearer token from the double's token endpoint, over one keep-alive
/// connection, to /dev/null. (The full sync's two small requests before the listing, the delta
/// link and the count, are left out of the floor.)
struct CurlFloor {
    static let select = [
        "id", "userPrincipalName", "mail", "displayName", "givenName", "surname", "jobTitle", "department",
        "companyName", "officeLocation", "businessPhones", "mobilePhone", "faxNumber", "streetAddress", "city",
        "state", "postalCode", "country", "onPremisesExtensionAttributes", "accountEnabled", "userType",
    ].joined(separator: ",")
    static let pageSize = 999

    let token: String
    let urls: [String]
    let bytes: Int
    let base: String

    /// Gets a token, then follows the listing's chain once (untimed: the warm-up), page by page,
    /// keeping each page's URL and checking that the last one ends the chain.
    init(base: String, users: Int) throws {
        let answer = try Shell.run(
            "/usr/bin/curl",
            [
                "-sf", "-d",
                "client_id=roster-app&client_secret=double-secret&scope=\(base)/.default&grant_type=client_credentials",
                "\(base)/double-tenant/oauth2/v2.0/token",
            ]
        )
        guard let json = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any],
            let token = json["access_token"] as? String
        else { throw BenchError("no token: \(answer)") }
        self.token = token
        self.base = base

        var urls = ["\(base)/v1.0/users?$select=\(Self.select)&$top=\(Self.pageSize)"]
        var bytes = 0
        while true {
            let page = try Shell.run("/usr/bin/curl", ["-sgf", "-H", "Authorization: Bearer \(token)", urls.last!])
            bytes += page.utf8.count
            guard let next = Self.link("@odata.nextLink", in: Substring(page.prefix(4096))) else { break }
            urls.append(next)
            if urls.count > users / Self.pageSize + 2 {
                throw BenchError("the listing has more pages than \(users) users fill")
            }
        }
        self.urls = urls
        self.bytes = bytes
    }

    /// The double's current version, from a delta link for now (`$deltatoken=latest`).
    func currentVersion() throws -> String {
        let page = try Shell.run(
            "/usr/bin/curl",
            [
                "-sgf", "-H", "Authorization: Bearer \(token)",
                "\(base)/v1.0/users/delta?$deltatoken=latest&$select=\(Self.select)",
            ]
        )
        guard let link = Self.link("@odata.deltaLink", in: Substring(page.prefix(4096))),
            let range = link.range(of: "$deltatoken=")
        else { throw BenchError("no deltaLink for $deltatoken=latest") }
        return String(link[range.upperBound...].prefix { $0 != "&" })
    }

    /// The changes since `version` (a delta link's token): the chain derived from its first page
    /// (untimed), then one timed curl process fetching every page of it.
    func timedDeltaDownload(since version: String) throws -> (seconds: Double, pages: Int) {
        let first = "\(base)/v1.0/users/delta?$deltatoken=\(version)&$select=\(Self.select)"
        let prefer = "Prefer: odata.maxpagesize=\(Self.pageSize)"  // as GraphDirectory sends on delta pages
        let page = try Shell.run(
            "/usr/bin/curl",
            ["-sgf", "-H", "Authorization: Bearer \(token)", "-H", prefer, first]
        )
        var chain = [first]
        if let next = Self.link("@odata.nextLink", in: Substring(page.prefix(4096))),
            let range = next.range(of: "$skiptoken=")
        {
            let value = next[range.upperBound...].prefix { $0 != "&" }
            let parts = value.split(separator: ".")
            guard parts.count == 3, let size = Int(parts[2]) else { throw BenchError("unexpected skiptoken \(value)") }
            var offset = size
            // At most 100 pages; the double's answer ends the chain with a deltaLink, past which curl gets an empty page.
            while chain.count < 100 {
                chain.append(
                    next.replacingOccurrences(
                        of: "$skiptoken=\(value)",
                        with: "$skiptoken=\(parts[0]).\(parts[1]).\(offset)"
                    )
                )
                offset += size
                let probe = try Shell.run(
                    "/usr/bin/curl",
                    ["-sgf", "-H", "Authorization: Bearer \(token)", "-H", prefer, chain.last!]
                )
                if Self.link("@odata.deltaLink", in: Substring(probe.prefix(4096))) != nil { break }
            }
        }
        var arguments = [
            "-sgf", "-H", "Authorization: Bearer \(token)", "-H", "x-ms-throttle-priority: low", "-H", prefer,
        ]
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
        let schemaQuery =
            "SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('tenants', 'contacts') AND sql IS NOT NULL ORDER BY type DESC, name"
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
