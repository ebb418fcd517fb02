// contact-reader MAIL [--watch]: looks a contact up by mail, reads every contact page by page,
// and with --watch follows the tenant's active (or last) sync job. Configured like the `roster`
// CLI: ROSTER_ADDRESS (host:port), ROSTER_CA_FILE (the CA to trust; unset: the system's roots),
// ROSTER_KEY (an API key; a reader key is enough).
import Foundation
import RosterClient
import RosterWire

/// What the service does with Roster; every failed call throws a `RosterError`.
func readRoster(with client: RosterClient, mail: String, watch: Bool) async throws {
    // GetContact by mail (then by userPrincipalName): NOT_FOUND when nobody has it.
    let contact = try await client.getContact(mail: mail)
    print("found \(contact.displayName) <\(contact.mail)>, \(contact.jobTitle) in \(contact.department)")

    // ListContacts, every page: the next page is asked for when this one has been read.
    var count = 0
    var departments = Set<String>()
    for try await each in client.allContacts(pageSize: 200) {
        count += 1
        departments.insert(each.department)
    }
    print("read \(count) contacts in \(departments.count) departments")

    // One page by hand, with a search: a prefix of the name, mail or userPrincipalName.
    let page = try await client.listContacts(search: contact.surname, pageSize: 5)
    print("\(page.total) contacts match \"\(contact.surname)\"; the first page holds \(page.contacts.count)")

    // WatchProgress: the job's state now, then its updates, then one final message.
    if watch {
        for try await update in try await client.watchProgress() {
            if update.final {
                let outcome = update.summary?.text ?? update.errorMessage
                print("job \(update.jobID) ended \(update.state): \(outcome)")
            } else {
                print("job \(update.jobID): \(update.phase), \(Int(update.percent))%")
            }
        }
    }
}

/// The process's exit status for a failed call, by its code.
func exitStatus(for error: RosterError) -> Int32 {
    switch error.code {
    case .notFound: 2  // no such contact (or no job to watch)
    case .invalidArgument: 3  // the lookup value is empty or not an address
    case .unauthenticated, .permissionDenied: 4  // a key that is wrong, revoked or expired
    case .unavailable, .deadlineExceeded: 5  // the server is unreachable or slow: retry later
    default: 1
    }
}

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("contact-reader: \(message)\n".utf8))
    exit(status)
}

let environment = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments.dropFirst()
guard let mail = arguments.first(where: { !$0.hasPrefix("--") }) else {
    fail("usage: contact-reader MAIL [--watch]", status: 64)
}
guard let key = environment["ROSTER_KEY"], !key.isEmpty else {
    fail("set ROSTER_KEY to an API key (a reader key is enough)", status: 64)
}

// One client for the whole process: it connects at the first call, multiplexes every call on
// one TLS connection, and reconnects by itself when the connection is lost.
let client: RosterClient
do {
    let configuration = try RosterClientConfiguration(
        address: environment["ROSTER_ADDRESS"] ?? "127.0.0.1:7443",
        security: environment["ROSTER_CA_FILE"].map { .tlsTrusting(caFile: $0) } ?? .tls,
        apiKey: key,
        defaultTimeout: .seconds(10)
    )
    client = try RosterClient(configuration: configuration)
} catch {
    fail("\(error)", status: 64)
}

var status: Int32 = 0
do {
    try await readRoster(with: client, mail: mail, watch: arguments.contains("--watch"))
} catch let error as RosterError {
    FileHandle.standardError.write(Data("contact-reader: \(error.code): \(error.message)\n".utf8))
    status = exitStatus(for: error)
} catch {
    FileHandle.standardError.write(Data("contact-reader: \(error)\n".utf8))
    status = 1
}
// Close once, at the end of the process: calls in flight finish first.
await client.close()
exit(status)
