internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterWire

/// `roster settings`: show every tenant setting, or change the additional user properties synced
/// into each contact's attributes, or whether photos are synced.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show the tenant's settings, or change the user properties and photos it syncs (admin).",
        discussion: """
            With no options, prints the settings. Additional user properties are Graph user \
            properties that the users delta query tracks (employeeId, employeeType, proxyAddresses, \
            …) and directory schema extensions (extension_<app id without dashes>_<name>); their \
            values appear under each contact's attributes after the next sync, which runs in full \
            after a change. Unknown names are refused, each one named. --no-sync-photos stops \
            fetching profile photos (those stored stay until their contacts go); --sync-photos \
            fetches them again at the next sync. The schedule, threshold and disabled accounts are \
            changed with `roster schedule`.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(
        help: ArgumentHelp(
            "Sync exactly these additional user properties (comma-separated; \"\" for none).",
            valueName: "names"
        )
    )
    var attributes: String?

    @Option(name: .customLong("add-attribute"), help: ArgumentHelp("Sync this property too.", valueName: "name"))
    var addedAttributes: [String] = []

    @Option(
        name: .customLong("remove-attribute"),
        help: ArgumentHelp("Stop syncing this property.", valueName: "name")
    )
    var removedAttributes: [String] = []

    @Flag(
        inversion: .prefixedNo,
        help: "Sync the users' profile photos (on by default; GetContactPhoto serves them)."
    )
    var syncPhotos: Bool?

    func validate() throws {
        if attributes != nil, !(addedAttributes.isEmpty && removedAttributes.isEmpty) {
            throw ValidationError(
                "--attributes replaces the list; use it without --add-attribute and --remove-attribute"
            )
        }
    }

    /// The new list, given the current one; nil when no option asks for a change.
    func attributeList(current: [String]) -> [String]? {
        if let attributes {
            return attributes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        guard !(addedAttributes.isEmpty && removedAttributes.isEmpty) else { return nil }
        // Names compare without case, as Graph's do.
        let removed = Set(removedAttributes.map { $0.lowercased() })
        return current.filter { !removed.contains($0.lowercased()) } + addedAttributes
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let status = try await client.getStatus()
            var response = ScheduleCommand.settingsResponse(status)
            let names = attributeList(current: status.settings?.attributes ?? [])
            if names != nil || syncPhotos != nil {
                var request = UpdateSettingsRequest()
                request.attributes = names.map(AttributeList.init)
                request.syncPhotos = syncPhotos
                response = try await client.updateSettings(request)
            }
            if context.json {
                context.printJSON(JSONOutput.updateSettings(response))
            } else {
                TextFormat.labelled(
                    ScheduleCommand.lines(
                        response.settings ?? TenantSettings(),
                        nextScheduledUnixMs: response.nextScheduledUnixMs
                    )
                ).forEach(context.console.print)
            }
            return .success
        }
    }
}
