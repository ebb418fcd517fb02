internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster schedule`: show or change automatic sync, the deletion threshold and disabled accounts.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show or change the automatic sync interval, deletion threshold and disabled accounts (admin).",
        discussion: "With no options, prints the current settings."
    )

    /// `--every`: minutes between automatic syncs, or off.
    enum Interval: Equatable, ExpressibleByArgument {
        case off
        case minutes(UInt32)

        init?(argument: String) {
            if argument.lowercased() == "off" {
                self = .off
            } else if let minutes = UInt32(argument), minutes > 0 {
                self = .minutes(minutes)
            } else {
                return nil
            }
        }

        var minutes: UInt32 {
            switch self {
            case .off: 0
            case .minutes(let minutes): minutes
            }
        }
    }

    @OptionGroup var connection: ConnectionOptions

    @Option(
        help: ArgumentHelp(
            "Run the saved scope's sync automatically every MINUTES minutes, or `off`.",
            valueName: "minutes|off"
        )
    )
    var every: Interval?

    @Option(help: "Stop a sync that would remove more contacts than this, unless acknowledged.")
    var threshold: UInt32?

    @Option(help: ArgumentHelp("Sync disabled accounts too.", valueName: "true|false"))
    var includeDisabled: Bool?

    /// The UpdateSettings request, or nil when no option asks for a change.
    var request: UpdateSettingsRequest? {
        guard every != nil || threshold != nil || includeDisabled != nil else { return nil }
        var request = UpdateSettingsRequest()
        request.syncIntervalMinutes = every?.minutes
        request.deletionThreshold = threshold
        request.includeDisabledAccounts = includeDisabled
        return request
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let settings: TenantSettings
            let next: Int64
            if let request {
                let response = try await client.updateSettings(request)
                if context.json {
                    context.printJSON(JSONOutput.updateSettings(response))
                    return .success
                }
                (settings, next) = (response.settings ?? TenantSettings(), response.nextScheduledUnixMs)
            } else {
                let status = try await client.getStatus()
                if context.json {
                    context.printJSON(JSONOutput.updateSettings(Self.settingsResponse(status)))
                    return .success
                }
                (settings, next) = (status.settings ?? TenantSettings(), status.nextScheduledUnixMs)
            }
            TextFormat.labelled(Self.lines(settings, nextScheduledUnixMs: next)).forEach(context.console.print)
            return .success
        }
    }

    /// The settings part of a status, shaped like an UpdateSettings answer so both print alike.
    static func settingsResponse(_ status: GetStatusResponse) -> UpdateSettingsResponse {
        var response = UpdateSettingsResponse()
        response.settings = status.settings ?? TenantSettings()
        response.nextScheduledUnixMs = status.nextScheduledUnixMs
        return response
    }

    /// Labelled lines for the settings.
    static func lines(_ settings: TenantSettings, nextScheduledUnixMs: Int64) -> [(String, String)] {
        let schedule =
            settings.syncIntervalMinutes == 0
            ? "off"
            : "every \(TextFormat.duration(ms: Int64(settings.syncIntervalMinutes) * 60_000)), next at \(TextFormat.time(unixMs: nextScheduledUnixMs))"
        return [
            ("Automatic sync", schedule),
            ("Deletion threshold", "\(TextFormat.count(Int64(settings.deletionThreshold))) contacts"),
            ("Disabled accounts", settings.includeDisabledAccounts ? "synced" : "left out"),
            ("Attributes", settings.attributes.isEmpty ? "none" : settings.attributes.joined(separator: ", ")),
            ("Photos", settings.syncPhotos ? "synced" : "not synced"),
        ]
    }
}
