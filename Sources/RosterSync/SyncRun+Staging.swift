import RosterDirectory
import RosterStore

// Fetching: the directory's pages staged (or, for a tenant's first sync on a store that offers it,
// written as they come: ``StreamedApply``), page by page, under the run's bounds.
extension SyncRun {
    /// Group scope: validate the group, then stage its transitive user members in scope.
    func stageGroup(id: String, directory: any DirectorySource, tenant: TenantRecord) async throws -> Staged {
        reporter.update { job, extras in
            job.phase = .listingMembers
            extras.message = "checking the group"
        }
        let group: DirectoryGroup
        do throws(DirectoryError) {
            group = try await directory.group(id: id)
        } catch {
            guard error.code == .notFound else { throw error }
            throw SyncError(
                .groupNotFound,
                "the group \(id) is not in the directory (deleted?); pick a group from ListGroups"
            )
        }
        if let refusal = group.syncScopeRefusal { throw SyncError(.groupNotAllowed, refusal) }
        reporter.update { job, extras in
            job.phase = .fetching
            extras.message = "fetching the members of “\(group.displayName ?? id)”"
        }
        let streamed = try await stageListing(
            directory.transitiveUserMembers(ofGroup: id),
            noun: "members",
            tenant: tenant
        )
        return Staged(kind: .replaceAll, deltaLink: nil, streamed: streamed)
    }

    /// Stages every user of a listing in scope (group members, or all users): the staged set
    /// replaces the tenant's contacts. A real run into a tenant without contacts writes them as
    /// they come instead, when the store offers it (``StreamedApply``), and returns it to commit.
    private func stageListing(
        _ listing: DirectoryPages<DirectoryPage<DirectoryUser>>,
        noun: String,
        tenant: TenantRecord
    ) async throws -> (any StreamedApply)? {
        // Its contacts are stamped with the time the listing began.
        let streamed =
            reporter.job.dryRun
            ? nil : try await store.beginStreamedApply(job: reporter.job.id, tenant: tenant.id, now: now())
        do {
            try await stage(listing, noun: noun, tenant: tenant, into: streamed)
        } catch {
            await streamed?.discard()
            throw error
        }
        return streamed
    }

    /// The pages of `listing`, each written (to `streamed`, or staged) while the next one is decoded.
    private func stage(
        _ listing: DirectoryPages<DirectoryPage<DirectoryUser>>,
        noun: String,
        tenant: TenantRecord,
        into streamed: (any StreamedApply)?
    ) async throws {
        var pages = 0
        var fetched = 0
        let started = now()
        let (store, job) = (store, reporter.job.id)
        // At most one page's write in flight, in page order. A failure or cancel ends the loop, and
        // the group waits for that write before the run drops its staging.
        try await withThrowingTaskGroup(of: Void.self) { writes in
            for try await page in listing {
                try checkCancelled()
                pages += 1
                fetched += page.items.count
                try limits.check(pages: pages, entries: fetched, startedAt: started, now: now())
                let contacts = page.items.filter { $0.isSynced(includeDisabled: tenant.includeDisabled) }
                    .map(ContactRecord.init)
                try await writes.next()  // the previous page's
                writes.addTask {
                    if let streamed {
                        try await streamed.write(contacts)
                    } else {
                        try await store.stage(job: job, contacts: contacts, removals: [])
                    }
                }
                reporter.update { job, extras in
                    if let total = page.totalCount { job.total = total }
                    job.fetched += page.items.count
                    extras.throttleWaitMilliseconds = nil
                    extras.message = "fetched \(SyncProgress.grouped(job.fetched)) \(noun)"
                }
            }
            try await writes.waitForAll()
        }
    }

    /// A full all-users run. Where the directory can hand out a delta link for now
    /// (``DirectorySource/latestDeltaLink()``), it takes that first, then lists the users in pages
    /// of 999 (Graph serves the delta query 100–200 a page: 5–10 times the requests), with the
    /// count asked for up front so that percent and ETA mean something while it fetches. The
    /// next delta replays what changed during the listing, which is harmless. Otherwise it pages
    /// the delta query from the start.
    private func stageFullListing(directory: any DirectorySource, tenant: TenantRecord) async throws -> Staged {
        guard let link = try await directory.latestDeltaLink() else {
            return try await stageChanges(
                directory.userChanges(since: nil),
                incremental: false,
                tenant: tenant,
                directory: directory
            )
        }
        try checkCancelled()
        reporter.update { job, extras in
            job.phase = .fetching
            extras.message = "counting users"
        }
        // The count only feeds progress: a directory that cannot give it does not stop the run.
        let total = try? await directory.userCount()
        try checkCancelled()
        reporter.update { job, extras in
            job.total = total ?? nil
            extras.message = "fetching users"
        }
        let streamed = try await stageListing(directory.users(), noun: "users", tenant: tenant)
        return Staged(kind: .replaceAll, deltaLink: link, streamed: streamed)
    }

    /// All users: the changes since the stored delta link when the job is a delta, falling back to
    /// a full run when the directory refuses the link.
    func stageAllUsers(directory: any DirectorySource, tenant: TenantRecord) async throws -> Staged {
        if reporter.job.mode == .delta, let link = tenant.deltaLink {
            do {
                return try await stageChanges(
                    directory.userChanges(since: link),
                    incremental: true,
                    tenant: tenant,
                    directory: directory
                )
            } catch let error as DirectoryError where error.code == .resyncRequired {
                try await store.discardStaging(job: reporter.job.id)
                let note = "running a full sync instead: \(error.message)"
                reporter.update { job, extras in
                    job.mode = .full
                    job.fetched = 0
                    job.note = note
                    extras.message = note
                }
                try await store.updateJob(reporter.job)
                onNote(reporter.job, note)
            }
        }
        return try await stageFullListing(directory: directory, tenant: tenant)
    }

    /// Stages delta pages: users in scope as upserts; for an incremental run, removed users and
    /// changed users now out of scope as removals.
    private func stageChanges(
        _ pages: DirectoryPages<DeltaPage>,
        incremental: Bool,
        tenant: TenantRecord,
        directory: any DirectorySource
    )
        async throws -> Staged
    {
        reporter.update { job, extras in
            job.phase = .fetching
            extras.message = incremental ? "fetching changes since the last sync" : "fetching users"
        }
        var deltaLink: String?
        // An incremental round may send a user twice (Graph replays); a partial entry then builds on
        // the version staged earlier in this run, not on the stored one.
        var stagedThisRun: [String: ContactRecord] = [:]
        var fetchedWhole = 0
        var pageCount = 0
        var entries = 0
        let started = now()
        for try await page in pages {
            try checkCancelled()
            pageCount += 1
            entries += page.changed.count + page.removed.count
            try limits.check(pages: pageCount, entries: entries, startedAt: started, now: now())
            var contacts: [ContactRecord] = []
            var removals = page.removed.map(\.id)
            // Rows that leave out properties whose values this run cannot know: fetched whole.
            var incomplete: [String] = []
            // The stored versions of the page's partial rows, in one read (Graph leaves nulls out,
            // so nearly every row of a delta round is partial).
            let partialIDs =
                incremental ? page.changed.map(\.id).filter { page.partial[$0] != nil && stagedThisRun[$0] == nil } : []
            let stored = try await store.contacts(tenant: tenant.id, ids: partialIDs)
            for user in page.changed {
                if user.isSynced(includeDisabled: tenant.includeDisabled) {
                    var contact = ContactRecord(user)
                    if incremental, let reported = page.partial[user.id] {
                        // Graph leaves null properties out of a row, and may send only the changed
                        // ones. A left-out property is known only when the stored value is empty
                        // too (unchanged or cleared, it is empty now). Otherwise (a user not stored
                        // yet, or a stored value that may have been cleared) the user is fetched.
                        guard let stored = stagedThisRun[user.id] ?? stored[user.id],
                            stored.nonEmptyProperties.isSubset(of: reported), stored.attributesKnown(from: user)
                        else {
                            if !incomplete.contains(user.id) { incomplete.append(user.id) }  // a page may replay a row
                            continue
                        }
                        contact = contact.merging(unreportedFrom: stored, reported: reported)
                    }
                    if incremental { stagedThisRun[contact.id] = contact }
                    contacts.append(contact)
                } else if incremental {
                    removals.append(user.id)
                }
            }
            if !incomplete.isEmpty {
                fetchedWhole += incomplete.count
                guard fetchedWhole <= limits.maxUsersFetchedWhole else {
                    throw DirectoryError(
                        .resyncRequired,
                        "more than \(limits.maxUsersFetchedWhole) changed users came with properties left out, and fetching "
                            + "each of them costs more than a full sync",
                        directoryCode: "tooManyIncompleteRows"
                    )
                }
                let whole = try await directory.users(ids: incomplete)
                var found: Set<String> = []
                for user in whole {
                    found.insert(user.id)
                    if user.isSynced(includeDisabled: tenant.includeDisabled) {
                        let contact = ContactRecord(user)
                        stagedThisRun[contact.id] = contact
                        contacts.append(contact)
                    } else {
                        removals.append(user.id)
                    }
                }
                removals += incomplete.filter { !found.contains($0) }  // gone since the row was written
            }
            try await store.stage(job: reporter.job.id, contacts: contacts, removals: removals)
            if let link = page.deltaLink { deltaLink = link }
            reporter.update { job, extras in
                job.fetched += page.changed.count + page.removed.count
                extras.throttleWaitMilliseconds = nil
                extras.message = "fetched \(SyncProgress.grouped(job.fetched)) users"
            }
        }
        return Staged(kind: incremental ? .incremental : .replaceAll, deltaLink: deltaLink)
    }
}
