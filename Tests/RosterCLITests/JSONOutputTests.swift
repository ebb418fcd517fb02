import Foundation
import RosterWire
import Testing

@testable import RosterCLI

/// `--json` output: proto3 JSON field names, enum names, every field written.
@Suite struct JSONOutputTests {
    /// Parses `value`'s text back, proving it is valid JSON.
    static func parsed(_ value: JSONValue) throws -> [String: Any] {
        let text = value.rendered
        #expect(!text.contains("\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func syncJobFields() throws {
        var job = SyncJob()
        job.id = "job-7"
        job.scope = .group(id: "g-uk", displayName: "UK Staff")
        job.mode = .full
        job.state = .succeeded
        job.phase = .applying
        job.trigger = .manual
        job.startedBy = "ops key"
        job.createdUnixMs = 1_764_150_000_000
        job.startedUnixMs = 1_764_150_000_100
        job.finishedUnixMs = 1_764_150_002_400
        var counters = ProgressCounters()
        counters.fetched = 1204
        counters.total = 1204
        counters.added = 12
        counters.updated = 3
        counters.removed = 5
        counters.unchanged = 1184
        job.counters = counters
        var summary = ConfirmationSummary()
        summary.totalContacts = 1204
        summary.added = 12
        summary.durationMs = 2300
        summary.text = "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s"
        job.summary = summary
        job.acknowledgedRemovals = true
        job.note = "running a full sync instead: the stored delta link expired"

        let object = try Self.parsed(JSONOutput.job(job))
        #expect(object["note"] as? String == "running a full sync instead: the stored delta link expired")
        // Tables and status lines show it too.
        #expect(
            JobsCommand.row(job).last?.hasSuffix("(running a full sync instead: the stored delta link expired)") == true
        )
        #expect(StatusCommand.jobLine(job).hasSuffix("(running a full sync instead: the stored delta link expired)"))
        #expect(object["id"] as? String == "job-7")
        #expect(object["mode"] as? String == "SYNC_MODE_FULL")
        #expect(object["state"] as? String == "JOB_STATE_SUCCEEDED")
        #expect(object["phase"] as? String == "SYNC_PHASE_APPLYING")
        #expect(object["trigger"] as? String == "SYNC_TRIGGER_MANUAL")
        #expect(object["startedBy"] as? String == "ops key")
        #expect((object["createdUnixMs"] as? NSNumber)?.int64Value == 1_764_150_000_000)
        #expect((object["finishedUnixMs"] as? NSNumber)?.int64Value == 1_764_150_002_400)
        #expect(object["errorCode"] as? String == "")
        #expect(object["acknowledgedRemovals"] as? Bool == true)
        let scope = try #require(object["scope"] as? [String: Any])
        #expect(scope["kind"] as? String == "SCOPE_KIND_GROUP")
        #expect(scope["groupId"] as? String == "g-uk")
        #expect(scope["groupDisplayName"] as? String == "UK Staff")
        let countersObject = try #require(object["counters"] as? [String: Any])
        #expect(countersObject["fetched"] as? Int == 1204)
        #expect(countersObject["unchanged"] as? Int == 1184)
        #expect(countersObject["removed"] as? Int == 5)
        let summaryObject = try #require(object["summary"] as? [String: Any])
        #expect(summaryObject["totalContacts"] as? Int == 1204)
        #expect(summaryObject["durationMs"] as? Int == 2300)
        #expect(summaryObject["text"] as? String == summary.text)
    }

    @Test func absentMessagesAreLeftOut() throws {
        let object = try Self.parsed(JSONOutput.job(SyncJob()))
        #expect(object["scope"] == nil && object["counters"] == nil && object["summary"] == nil)
        #expect(object["state"] as? String == "JOB_STATE_UNSPECIFIED")
    }

    @Test func progressUpdateFields() throws {
        var update = ProgressUpdate()
        update.jobID = "job-7"
        update.state = .running
        update.phase = .fetching
        var counters = ProgressCounters()
        counters.fetched = 4200
        counters.total = 10000
        update.counters = counters
        update.percent = 42.5
        update.etaMs = 12000
        update.throttleWaitMs = 5000
        update.message = "waiting for \"Graph\"\n"
        update.elapsedMs = 900
        let object = try Self.parsed(JSONOutput.progress(update))
        #expect(object["jobId"] as? String == "job-7")
        #expect(object["state"] as? String == "JOB_STATE_RUNNING")
        #expect(object["phase"] as? String == "SYNC_PHASE_FETCHING")
        #expect((object["percent"] as? NSNumber)?.doubleValue == 42.5)
        #expect(object["etaMs"] as? Int == 12000)
        #expect(object["throttleWaitMs"] as? Int == 5000)
        #expect(object["elapsedMs"] as? Int == 900)
        #expect(object["message"] as? String == "waiting for \"Graph\"\n")
        #expect(object["final"] as? Bool == false)
        #expect((object["counters"] as? [String: Any])?["total"] as? Int == 10000)
        #expect(object["summary"] == nil)
    }

    @Test func unknownEnumNumbersStayNumbers() {
        var update = ProgressUpdate()
        update.state = JobState(rawValue: 42)
        #expect(
            JSONOutput.progress(update).rendered.hasPrefix(#"{"jobId":"","state":42,"phase":"SYNC_PHASE_UNSPECIFIED","#)
        )
    }

    @Test func contactExtensionAttributesAndPhones() throws {
        var contact = Contact()
        contact.id = "u-1"
        contact.displayName = "Zoë Ångström"
        contact.businessPhones = ["+44 20 7946 0000", "+44 20 7946 0001"]
        contact.extensionAttributes = [15: "cost centre 9", 1: "EMEA"]
        let object = try Self.parsed(JSONOutput.contact(contact))
        #expect(object["displayName"] as? String == "Zoë Ångström")
        #expect(object["businessPhones"] as? [String] == ["+44 20 7946 0000", "+44 20 7946 0001"])
        #expect(object["extensionAttributes"] as? [String: String] == ["1": "EMEA", "15": "cost centre 9"])
        #expect(object["userPrincipalName"] as? String == "")
    }

    @Test func contactAttributesAndSettingsList() throws {
        var contact = Contact()
        contact.attributes = ["otherMails": "a@x.example\nb@x.example", "employeeId": "E-1"]
        let object = try Self.parsed(JSONOutput.contact(contact))
        #expect(
            object["attributes"] as? [String: String] == [
                "employeeId": "E-1", "otherMails": "a@x.example\nb@x.example",
            ]
        )
        #expect(
            ContactCommand.lines(contact).contains {
                $0.hasPrefix("otherMails") && $0.hasSuffix("a@x.example, b@x.example")
            }
        )
        var settings = TenantSettings()
        settings.attributes = ["employeeId", "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"]
        #expect((try Self.parsed(JSONOutput.settings(settings)))["attributes"] as? [String] == settings.attributes)
        #expect(
            ScheduleCommand.lines(settings, nextScheduledUnixMs: 0).contains {
                $0 == ("Attributes", "employeeId, extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre")
            }
        )
    }

    @Test func contactOverridesInJSONAndText() throws {
        var contact = Contact()
        contact.id = "u-1"
        contact.jobTitle = "Chief People Officer"
        var title = ContactOverride()
        title.field = "job_title"
        title.value = "Chief People Officer"
        title.directoryValue = "Head of People"
        title.setBy = "HR desk (4f3a9c0d2b7e8a61)"
        title.setUnixMs = 1_764_504_000_000
        var phones = ContactOverride()
        phones.field = "business_phones"
        phones.hidden = true
        phones.directoryValue = "+44 1\n+44 2"
        phones.setBy = "ops (0123456789abcdef)"
        contact.overrides = [phones, title]

        let object = try Self.parsed(JSONOutput.contact(contact))
        let overrides = try #require(object["overrides"] as? [[String: Any]])
        #expect(overrides.map { $0["field"] as? String } == ["business_phones", "job_title"])
        #expect(overrides[0]["hidden"] as? Bool == true && overrides[0]["value"] as? String == "")
        #expect(overrides[1]["directoryValue"] as? String == "Head of People")
        #expect(overrides[1]["setBy"] as? String == "HR desk (4f3a9c0d2b7e8a61)")
        #expect(overrides[1]["setUnixMs"] as? Int == 1_764_504_000_000)

        let lines = ContactCommand.lines(contact)
        #expect(
            Array(lines.suffix(3)) == [
                "Local overrides:",
                "  business_phones: hidden (directory: \"+44 1, +44 2\"), set by ops (0123456789abcdef) at -",
                "  job_title: \"Chief People Officer\" (directory: \"Head of People\"), set by HR desk (4f3a9c0d2b7e8a61) "
                    + "at 2025-11-30T12:00:00Z",
            ]
        )
        contact.overrides = []
        #expect(!ContactCommand.lines(contact).contains("Local overrides:"))
        #expect(try Self.parsed(JSONOutput.contact(contact))["overrides"] as? [Any] != nil)
    }

    @Test func photosInContactsSettingsAndPhotoAnswers() throws {
        var contact = Contact()
        contact.photoEtag = "\"E1\""
        #expect(try Self.parsed(JSONOutput.contact(contact))["photoEtag"] as? String == "\"E1\"")
        #expect(ContactCommand.lines(contact).contains { $0.hasPrefix("photoEtag") && $0.hasSuffix("\"E1\"") })
        var settings = TenantSettings()
        settings.syncPhotos = true
        #expect(try Self.parsed(JSONOutput.settings(settings))["syncPhotos"] as? Bool == true)
        #expect(ScheduleCommand.lines(settings, nextScheduledUnixMs: 0).contains { $0 == ("Photos", "synced") })
        settings.syncPhotos = false
        #expect(ScheduleCommand.lines(settings, nextScheduledUnixMs: 0).contains { $0 == ("Photos", "not synced") })

        var photo = GetContactPhotoResponse()
        photo.photo = [0x89, 0x50, 0x4E, 0x47]
        photo.contentType = "image/png"
        photo.etag = "\"E1\""
        let inline = try Self.parsed(JSONOutput.photo(photo, output: nil))
        #expect(inline["photo"] as? String == "iVBORw==")
        #expect(inline["size"] as? Int == 4 && inline["contentType"] as? String == "image/png")
        #expect(inline["notModified"] as? Bool == false && inline["output"] == nil)
        let saved = try Self.parsed(JSONOutput.photo(photo, output: "ada.png"))
        #expect(saved["output"] as? String == "ada.png" && saved["photo"] == nil)
        #expect(
            PhotoCommand.lines(photo, output: "ada.png").map { $0.replacingOccurrences(of: " ", with: "") }
                == ["Contenttype:image/png", "Size:4bytes", "Etag:\"E1\"", "Writtento:ada.png"]
        )
        var unchanged = GetContactPhotoResponse()
        unchanged.etag = "\"E1\""
        unchanged.notModified = true
        #expect(PhotoCommand.lines(unchanged, output: "ada.png") == ["Not modified (etag \"E1\")."])
    }

    @Test func renderedTextIsStable() {
        let value = JSONValue.object([
            ("a", .int(1)), ("b", .array([.bool(true), .null, .float(0.5), .float(3)])),
            ("c", .string("tab\there\u{1}")),
        ])
        #expect(value.rendered == #"{"a":1,"b":[true,null,0.5,3],"c":"tab\there\u0001"}"#)
    }
}
