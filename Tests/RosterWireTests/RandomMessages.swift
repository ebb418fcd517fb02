import RosterWire

// Random instances of the messages that together use every codec path: nested and repeated
// messages, maps, oneofs, optionals, packed scalars, floats, negative numbers, Unicode.

protocol RandomSample: ProtoMessage {
    static func random(using rng: inout SeededRandom) -> Self
}

extension Contact: RandomSample {
    static func random(using rng: inout SeededRandom) -> Contact {
        var c = Contact()
        c.id = rng.text(maxLength: 36)
        c.userPrincipalName = rng.text()
        c.mail = rng.text()
        c.displayName = rng.text()
        c.givenName = rng.text()
        c.surname = rng.text()
        c.jobTitle = rng.text()
        c.department = rng.text()
        c.companyName = rng.text()
        c.officeLocation = rng.text()
        c.businessPhones = (0..<rng.count(3)).map { _ in rng.text(maxLength: 16) }
        c.mobilePhone = rng.text(maxLength: 16)
        c.faxNumber = rng.text(maxLength: 16)
        c.streetAddress = rng.text(maxLength: 60)
        c.city = rng.text()
        c.state = rng.text()
        c.postalCode = rng.text(maxLength: 10)
        c.country = rng.text()
        for _ in 0..<rng.count(4) { c.extensionAttributes[Int32.random(in: 1...15, using: &rng)] = rng.text() }
        c.changedUnixMs = rng.int64()
        for _ in 0..<rng.count(3) { c.attributes[rng.text(maxLength: 40)] = rng.text() }
        c.overrides = (0..<rng.count(3)).map { _ in
            var override = ContactOverride()
            override.field = rng.text(maxLength: 40)
            override.value = rng.text()
            override.hidden = rng.bool()
            override.directoryValue = rng.text()
            override.setBy = rng.text()
            override.setUnixMs = rng.int64()
            return override
        }
        c.photoEtag = rng.text(maxLength: 20)
        return c
    }
}

extension SetContactOverrideRequest: RandomSample {
    static func random(using rng: inout SeededRandom) -> SetContactOverrideRequest {
        var request = SetContactOverrideRequest()
        request.contactID = rng.text(maxLength: 36)
        request.field = rng.text(maxLength: 40)
        switch rng.count(3) {
        case 1: request.override = .value(rng.bool() ? "" : rng.text())
        case 2: request.override = .hidden(rng.bool())
        default: break
        }
        return request
    }
}

extension SyncJob: RandomSample {
    static func random(using rng: inout SeededRandom) -> SyncJob {
        var job = SyncJob()
        job.id = rng.text(maxLength: 36)
        if rng.bool() { job.scope = .group(id: rng.text(), displayName: rng.text()) }
        job.mode = SyncMode(rawValue: rng.int32())
        job.state = JobState(rawValue: Int32.random(in: -1...9, using: &rng))
        job.phase = SyncPhase(rawValue: Int32.random(in: 0...4, using: &rng))
        job.trigger = SyncTrigger(rawValue: Int32.random(in: 0...2, using: &rng))
        job.startedBy = rng.text()
        job.createdUnixMs = rng.int64()
        job.startedUnixMs = rng.int64()
        job.finishedUnixMs = rng.int64()
        if rng.bool() {
            var counters = ProgressCounters()
            counters.fetched = rng.int64()
            counters.total = rng.int64()
            counters.removed = rng.int64()
            job.counters = counters
        }
        job.errorCode = rng.text()
        job.errorMessage = rng.text(maxLength: 200)
        if rng.bool() {
            var summary = ConfirmationSummary()
            summary.totalContacts = rng.int64()
            summary.text = rng.text(maxLength: 80)
            job.summary = summary
        }
        job.acknowledgedRemovals = rng.bool()
        return job
    }
}

extension ProgressUpdate: RandomSample {
    static func random(using rng: inout SeededRandom) -> ProgressUpdate {
        var update = ProgressUpdate()
        update.jobID = rng.text(maxLength: 36)
        update.state = JobState(rawValue: rng.int32())
        update.phase = SyncPhase(rawValue: Int32.random(in: 0...4, using: &rng))
        if rng.bool() {
            var counters = ProgressCounters()
            counters.fetched = rng.int64()
            counters.added = rng.int64()
            update.counters = counters
        }
        update.percent = [0, -0.0, 100, 49.95, .infinity, -.infinity, .leastNonzeroMagnitude][rng.count(6)]
        update.etaMs = rng.int64()
        update.throttleWaitMs = rng.int64()
        update.message = rng.text(maxLength: 60)
        update.final = rng.bool()
        update.errorCode = rng.text()
        update.elapsedMs = rng.int64()
        return update
    }
}

extension ListGroupsResponse: RandomSample {
    static func random(using rng: inout SeededRandom) -> ListGroupsResponse {
        var response = ListGroupsResponse()
        response.groups = (0..<rng.count(12)).map { _ in
            var group = Group()
            group.id = rng.text(maxLength: 36)
            group.displayName = rng.text()
            group.mail = rng.text()
            group.kind = GroupKind(rawValue: Int32.random(in: 0...5, using: &rng))
            return group
        }
        response.refreshedUnixMs = rng.int64()
        return response
    }
}

extension GetStatusResponse: RandomSample {
    static func random(using rng: inout SeededRandom) -> GetStatusResponse {
        var status = GetStatusResponse()
        status.tenantID = rng.text()
        status.connectionState = ConnectionState(rawValue: rng.int32())
        status.connectionErrorCode = rng.text()
        if rng.bool() { status.savedScope = .allUsers }
        if rng.bool() { status.activeJob = .random(using: &rng) }
        if rng.bool() { status.lastFinishedJob = .random(using: &rng) }
        status.contactCount = rng.int64()
        if rng.bool() {
            var settings = TenantSettings()
            settings.syncIntervalMinutes = UInt32(truncatingIfNeeded: rng.int64())
            settings.deletionThreshold = UInt32(truncatingIfNeeded: rng.int64())
            settings.includeDisabledAccounts = rng.bool()
            settings.attributes = (0..<rng.count(3)).map { _ in rng.text() }
            settings.syncPhotos = rng.bool()
            status.settings = settings
        }
        status.nextScheduledUnixMs = rng.int64()
        status.callerRole = Role(rawValue: Int32.random(in: 0...3, using: &rng))
        return status
    }
}

extension UpdateSettingsRequest: RandomSample {
    static func random(using rng: inout SeededRandom) -> UpdateSettingsRequest {
        var request = UpdateSettingsRequest()
        if rng.bool() { request.syncIntervalMinutes = rng.bool() ? 0 : UInt32(truncatingIfNeeded: rng.int64()) }
        if rng.bool() { request.deletionThreshold = rng.bool() ? 0 : 500 }
        if rng.bool() { request.includeDisabledAccounts = rng.bool() }
        if rng.bool() { request.scheduledScope = SyncScope() }
        if rng.bool() { request.attributes = AttributeList((0..<rng.count(3)).map { _ in rng.text() }) }
        if rng.bool() { request.syncPhotos = rng.bool() }
        return request
    }
}

extension GetContactRequest: RandomSample {
    static func random(using rng: inout SeededRandom) -> GetContactRequest {
        switch rng.count(3) {
        case 0: GetContactRequest()
        case 1: GetContactRequest(lookup: .id(rng.text()), includeDirectoryValues: rng.bool())
        case 2: GetContactRequest(lookup: .mail(rng.text()))
        default: GetContactRequest(lookup: .userPrincipalName(rng.text()), includeDirectoryValues: rng.bool())
        }
    }
}

extension GetContactPhotoRequest: RandomSample {
    static func random(using rng: inout SeededRandom) -> GetContactPhotoRequest {
        var request = GetContactPhotoRequest()
        request.lookup = GetContactRequest.random(using: &rng).lookup
        request.ifNoneMatch = rng.bool() ? "" : rng.text(maxLength: 20)
        return request
    }
}

extension GetContactPhotoResponse: RandomSample {
    static func random(using rng: inout SeededRandom) -> GetContactPhotoResponse {
        var response = GetContactPhotoResponse()
        response.photo = (0..<rng.count(300)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        response.contentType = rng.text(maxLength: 20)
        response.etag = rng.text(maxLength: 20)
        response.notModified = rng.bool()
        return response
    }
}

extension RPCMessages.CallHeaders: RandomSample {
    static func random(using rng: inout SeededRandom) -> RPCMessages.CallHeaders {
        var metadata: [String: String] = [:]
        for _ in 0..<rng.count(4) { metadata[rng.text(maxLength: 12)] = rng.text(maxLength: 40) }
        return RPCMessages.CallHeaders(
            method: rng.text(),
            timeoutMicros: rng.next() >> rng.count(63),
            metadata: metadata
        )
    }
}

extension RPCMessages.Status: RandomSample {
    static func random(using rng: inout SeededRandom) -> RPCMessages.Status {
        var status = RPCMessages.Status(code: rng.int32(), message: rng.text(maxLength: 100))
        status.details = (0..<rng.count(2)).map { _ in
            var detail = RPCMessages.StatusDetail()
            detail.typeURL = rng.text()
            detail.value = (0..<rng.count(20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return detail
        }
        for _ in 0..<rng.count(2) { status.metadata[rng.text(maxLength: 8)] = rng.text() }
        return status
    }
}

extension Nested {
    static func random(using rng: inout SeededRandom, depth: Int = 0) -> Nested {
        var nested = Nested()
        nested.value = rng.int32()
        if depth < 4, rng.count(2) == 0 { nested.child = .random(using: &rng, depth: depth + 1) }
        return nested
    }
}

extension AllTypes: RandomSample {
    static func random(using rng: inout SeededRandom) -> AllTypes {
        var m = AllTypes()
        m.fInt32 = rng.int32()
        m.fInt64 = rng.int64()
        m.fUInt32 = UInt32(truncatingIfNeeded: rng.int64())
        m.fUInt64 = UInt64(bitPattern: rng.int64())
        m.fSInt32 = rng.int32()
        m.fSInt64 = rng.int64()
        m.fFixed32 = UInt32(truncatingIfNeeded: rng.int64())
        m.fFixed64 = UInt64(bitPattern: rng.int64())
        m.fSFixed32 = rng.int32()
        m.fSFixed64 = rng.int64()
        m.fFloat = Float(rng.int32()) / 7
        m.fDouble = Double(rng.int64()) / 3
        m.fBool = rng.bool()
        m.fString = rng.text()
        m.fBytes = (0..<rng.count(8)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        m.fEnum = Color(rawValue: Int32.random(in: -2...4, using: &rng))
        if rng.bool() { m.fNested = .random(using: &rng) }
        m.rInt32 = (0..<rng.count(5)).map { _ in rng.int32() }
        m.rSInt64 = (0..<rng.count(5)).map { _ in rng.int64() }
        m.rFixed32 = (0..<rng.count(5)).map { _ in UInt32(truncatingIfNeeded: rng.int64()) }
        m.rDouble = (0..<rng.count(5)).map { _ in Double(rng.int32()) }
        m.rBool = (0..<rng.count(5)).map { _ in rng.bool() }
        m.rEnum = (0..<rng.count(5)).map { _ in Color(rawValue: rng.int32()) }
        m.rString = (0..<rng.count(3)).map { _ in rng.text() }
        m.rBytes = (0..<rng.count(3)).map { _ in [UInt8](rng.text().utf8) }
        m.rNested = (0..<rng.count(3)).map { _ in .random(using: &rng) }
        m.rInt32Unpacked = (0..<rng.count(5)).map { _ in rng.int32() }
        m.rFixed64Unpacked = (0..<rng.count(3)).map { _ in UInt64(bitPattern: rng.int64()) }
        for _ in 0..<rng.count(3) { m.mString[rng.text(maxLength: 8)] = rng.text() }
        for _ in 0..<rng.count(3) { m.mInt32[rng.int32()] = rng.text() }
        if rng.bool() { m.oInt32 = rng.bool() ? 0 : rng.int32() }
        if rng.bool() { m.oString = rng.bool() ? "" : rng.text() }
        if rng.bool() { m.oBool = rng.bool() }
        switch rng.count(3) {
        case 1: m.choice = .string(rng.bool() ? "" : rng.text())
        case 2: m.choice = .int64(rng.bool() ? 0 : rng.int64())
        case 3: m.choice = .nested(.random(using: &rng))
        default: break
        }
        return m
    }
}

/// The types the round-trip tests generate, by name.
let randomSampleTypes: [any RandomSample.Type] = [
    Contact.self, SyncJob.self, ProgressUpdate.self, ListGroupsResponse.self, GetStatusResponse.self,
    UpdateSettingsRequest.self, GetContactRequest.self, GetContactPhotoRequest.self, GetContactPhotoResponse.self,
    RPCMessages.CallHeaders.self, RPCMessages.Status.self,
    AllTypes.self, SetContactOverrideRequest.self,
]
