internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterRPC
internal import RosterWire

/// `roster photo ID-OR-MAIL [--output FILE]`: one contact's profile photo.
struct PhotoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photo",
        abstract: "Save or describe one contact's profile photo, by id, mail or userPrincipalName.",
        discussion: """
            Without --output, prints the photo's media type, size and etag. With --output FILE, \
            writes the image to FILE ("-" for standard output). With --if-none-match ETAG, a photo \
            whose etag is still ETAG is reported as not modified and nothing is written.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A contact id, or an address: tried as mail, then as userPrincipalName.")
    var idOrMail: String

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the image here (\"-\": stdout).", valueName: "file")
    )
    var output: String?

    @Option(help: ArgumentHelp("The etag of the photo you hold.", valueName: "etag"))
    var ifNoneMatch = ""

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            var found: GetContactPhotoResponse?
            let lookups = ContactCommand.lookups(for: idOrMail)
            for (index, lookup) in lookups.enumerated() {
                do {
                    found = try await client.contactPhoto(lookup, ifNoneMatch: ifNoneMatch)
                    break
                } catch let error as RPCError where error.code == .notFound && index < lookups.count - 1 {
                    continue
                }
            }
            guard let photo = found else {
                throw CLIFailure("the server returned no photo", exitCode: RosterExitCode.failure)
            }
            if !photo.notModified, let output {
                try Self.write(photo.photo, to: output, console: context.console)
            }
            // With the image on standard output, the description goes to standard error.
            let toStandardOutput = output == "-"
            if context.json {
                let text = JSONOutput.photo(photo, output: output).rendered
                toStandardOutput ? context.console.printError(text) : context.console.print(text)
            } else {
                for line in Self.lines(photo, output: output) {
                    toStandardOutput ? context.console.printError(line) : context.console.print(line)
                }
            }
            return .success
        }
    }

    /// Writes the image to `path`, or to standard output for "-".
    static func write(_ bytes: [UInt8], to path: String, console: Console) throws {
        if path == "-" {
            console.write(bytes: bytes)
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIFailure(
                "cannot write the photo to \(path): \(error.localizedDescription)",
                hint: "check that the directory exists and is writable",
                exitCode: RosterExitCode.failure
            )
        }
    }

    /// What the photo is, and where it went.
    static func lines(_ photo: GetContactPhotoResponse, output: String?) -> [String] {
        if photo.notModified { return ["Not modified (etag \(photo.etag))."] }
        var rows = [
            ("Content type", photo.contentType), ("Size", "\(TextFormat.count(Int64(photo.photo.count))) bytes"),
            ("Etag", photo.etag),
        ]
        if let output, output != "-" { rows.append(("Written to", output)) }
        return TextFormat.labelled(rows)
    }
}
