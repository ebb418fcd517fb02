import ArgumentParser
import RosterWire
import Testing

@testable import RosterCLI

/// Command lines parsed the way `roster` parses them.
@Suite struct ParsingTests {
    @Test func syncNeedsExactlyOneOfAllAndGroup() throws {
        #expect(throws: (any Error).self) { try SyncCommand.parse([]) }
        #expect(throws: (any Error).self) { try SyncCommand.parse(["--all", "--group", "UK Staff"]) }
        let all = try SyncCommand.parse(["--all", "--yes", "--no-watch"])
        #expect(all.all && all.group == nil && all.yes && all.noWatch && !all.dryRun)
        let group = try SyncCommand.parse(["--group", "UK Staff", "--dry-run"])
        #expect(!group.all && group.group == "UK Staff" && group.dryRun)
    }

    @Test func rootDispatchesToSubcommands() throws {
        let command = try Roster.parseAsRoot(["sync", "--group", "Europe Staff", "--json"])
        let sync = try #require(command as? SyncCommand)
        #expect(sync.group == "Europe Staff")
        #expect(sync.connection.json)
        #expect((try Roster.parseAsRoot(["watch", "job-1"]) as? WatchCommand)?.job == "job-1")
        #expect((try Roster.parseAsRoot(["watch"]) as? WatchCommand)?.job == nil)
        #expect(try Roster.parseAsRoot(["contact", "ada@example.com"]) is ContactCommand)
        #expect((try Roster.parseAsRoot(["groups", "eur", "--limit", "5"]) as? GroupsCommand)?.limit == 5)
    }

    @Test func settingsEditTheAttributeList() throws {
        let current = ["employeeId", "otherMails"]
        #expect(try SettingsCommand.parse([]).attributeList(current: current) == nil)
        #expect(try SettingsCommand.parse(["--attributes", ""]).attributeList(current: current) == [])
        #expect(
            try SettingsCommand.parse(["--attributes", " employeeType, proxyAddresses "]).attributeList(
                current: current
            )
                == ["employeeType", "proxyAddresses"]
        )
        let edited = try SettingsCommand.parse(["--remove-attribute", "OTHERMAILS", "--add-attribute", "employeeType"])
        #expect(edited.attributeList(current: current) == ["employeeId", "employeeType"])
        #expect(throws: (any Error).self) {
            try SettingsCommand.parse(["--attributes", "employeeId", "--add-attribute", "employeeType"])
        }
    }

    @Test func overrideSetNeedsExactlyOneOfValueAndHidden() throws {
        let value = try #require(
            try Roster.parseAsRoot(["override", "set", "ada@example.com", "job_title", "CPO"])
                as? OverrideCommand.SetOverride
        )
        #expect(value.contact == "ada@example.com" && value.field == "job_title")
        #expect(value.override == .value("CPO"))
        let hidden = try #require(
            try Roster.parseAsRoot(["override", "set", "4f1c", "mobile_phone", "--hidden"])
                as? OverrideCommand.SetOverride
        )
        #expect(hidden.override == .hidden(true))
        #expect(throws: (any Error).self) { try OverrideCommand.SetOverride.parse(["4f1c", "city"]) }
        #expect(throws: (any Error).self) {
            try OverrideCommand.SetOverride.parse(["4f1c", "city", "Oslo", "--hidden"])
        }
        let clear = try #require(
            try Roster.parseAsRoot(["override", "clear", "4f1c", "city"]) as? OverrideCommand.ClearOverride
        )
        #expect(clear.contact == "4f1c" && clear.field == "city")
    }

    @Test func usageErrorsExitWithValidationFailure() {
        do {
            _ = try Roster.parseAsRoot(["sync", "--all", "--group", "x"])
            Issue.record("parsed a sync with both --all and --group")
        } catch {
            #expect(Roster.exitCode(for: error) == RosterExitCode.usage)
            #expect(Roster.message(for: error).contains("exactly one of --all or --group"))
        }
    }

    @Test func secretArgumentIsRefusedUnlessAllowed() throws {
        do {
            _ = try ConnectCommand.parse([
                "--directory-tenant-id", "t", "--client-id", "c", "--client-secret", "s3cret",
            ])
            Issue.record("accepted --client-secret without --allow-secret-argument")
        } catch {
            let message = ConnectCommand.message(for: error)
            #expect(message.contains("shell history"))
            #expect(message.contains("ROSTER_CLIENT_SECRET"))
        }
        let allowed = try ConnectCommand.parse([
            "--directory-tenant-id", "t", "--client-id", "c", "--client-secret", "s3cret", "--allow-secret-argument",
        ])
        let request = try allowed.request(environment: ["ROSTER_CLIENT_SECRET": "from-env"])
        #expect(request.clientSecret == "s3cret")
        #expect(request.directoryTenantID == "t" && request.clientID == "c")
    }

    @Test func connectTakesCredentialsFromTheEnvironment() throws {
        let command = try ConnectCommand.parse([])
        let request = try command.request(environment: [
            "ROSTER_DIRECTORY_TENANT_ID": "contoso.onmicrosoft.com", "ROSTER_CLIENT_ID": "app",
            "ROSTER_CLIENT_SECRET": "env-secret",
        ])
        #expect(request.directoryTenantID == "contoso.onmicrosoft.com")
        #expect(request.clientID == "app")
        #expect(request.clientSecret == "env-secret")
        #expect(request.authorityURL.isEmpty && request.graphBaseURL.isEmpty)
        #expect(throws: CLIFailure.self) {
            try command.request(environment: ["ROSTER_DIRECTORY_TENANT_ID": "t", "ROSTER_CLIENT_ID": "c"])
        }
    }

    @Test func photoAndSettingsOptions() throws {
        #expect(try SettingsCommand.parse([]).syncPhotos == nil)
        #expect(try SettingsCommand.parse(["--sync-photos"]).syncPhotos == true)
        #expect(try SettingsCommand.parse(["--no-sync-photos"]).syncPhotos == false)
        let photo = try PhotoCommand.parse(["ada@contoso.example", "-o", "ada.png", "--if-none-match", "\"E1\""])
        #expect(photo.idOrMail == "ada@contoso.example" && photo.output == "ada.png" && photo.ifNoneMatch == "\"E1\"")
        #expect(try PhotoCommand.parse(["u-1"]).output == nil)
        #expect(throws: (any Error).self) { try PhotoCommand.parse([]) }
    }

    @Test func scheduleOptionsBuildTheUpdate() throws {
        #expect(try ScheduleCommand.parse([]).request == nil)
        let off = try #require(try ScheduleCommand.parse(["--every", "off"]).request)
        #expect(off.syncIntervalMinutes == 0 && off.deletionThreshold == nil && off.includeDisabledAccounts == nil)
        let all = try #require(
            try ScheduleCommand.parse(["--every", "60", "--threshold", "200", "--include-disabled", "true"]).request
        )
        #expect(all.syncIntervalMinutes == 60 && all.deletionThreshold == 200 && all.includeDisabledAccounts == true)
        #expect(throws: (any Error).self) { try ScheduleCommand.parse(["--every", "0"]) }
        #expect(throws: (any Error).self) { try ScheduleCommand.parse(["--every", "soon"]) }
    }

    @Test func contactLookupTriesMailThenUserPrincipalName() {
        #expect(
            ContactCommand.lookups(for: "ada@example.com") == [
                .mail("ada@example.com"), .userPrincipalName("ada@example.com"),
            ]
        )
        #expect(ContactCommand.lookups(for: "4f1c") == [.id("4f1c")])
    }
}
