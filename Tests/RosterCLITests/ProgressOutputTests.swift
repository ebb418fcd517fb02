import RosterWire
import Testing

@testable import RosterCLI

/// Progress as printed off a terminal (plain lines) and on one (the redrawn bar).
@Suite struct ProgressOutputTests {
    static func update(
        _ state: JobState,
        _ phase: SyncPhase,
        fetched: Int64 = 0,
        total: Int64 = 0,
        added: Int64 = 0,
        updated: Int64 = 0,
        removed: Int64 = 0,
        percent: Float = 0,
        eta: Int64 = 0,
        throttle: Int64 = 0,
        elapsed: Int64 = 0,
        final: Bool = false
    ) -> ProgressUpdate {
        var update = ProgressUpdate()
        update.jobID = "job-1"
        update.state = state
        update.phase = phase
        var counters = ProgressCounters()
        counters.fetched = fetched
        counters.total = total
        counters.added = added
        counters.updated = updated
        counters.removed = removed
        update.counters = counters
        update.percent = percent
        update.etaMs = eta
        update.throttleWaitMs = throttle
        update.elapsedMs = elapsed
        update.final = final
        return update
    }

    @Test func plainLinesOnePerChangeWithDuplicatesSuppressed() {
        let updates = [
            Self.update(.queued, .unspecified),
            Self.update(.running, .authenticating, elapsed: 10),
            Self.update(.running, .authenticating, elapsed: 110),
            Self.update(.running, .fetching, fetched: 4200, total: 10000, percent: 42.7, eta: 12000, elapsed: 900),
            Self.update(.running, .fetching, fetched: 4200, total: 10000, percent: 42.9, eta: 11000, elapsed: 1000),
            Self.update(
                .running,
                .fetching,
                fetched: 4200,
                total: 10000,
                percent: 42.9,
                eta: 11000,
                throttle: 5000,
                elapsed: 1100
            ),
            Self.update(.running, .fetching, fetched: 10000, total: 10000, percent: 100, elapsed: 2000),
            Self.update(
                .running,
                .applying,
                fetched: 10000,
                total: 10000,
                added: 12,
                updated: 3,
                removed: 5,
                percent: 100,
                elapsed: 2200
            ),
            Self.update(
                .succeeded,
                .applying,
                fetched: 10000,
                total: 10000,
                added: 12,
                updated: 3,
                removed: 5,
                percent: 100,
                elapsed: 2300,
                final: true
            ),
        ]
        var lines = PlainProgressLines()
        let printed = updates.compactMap { lines.line(for: $0) }
        #expect(
            printed == [
                "phase=unspecified state=queued fetched=0 total=0 added=0 updated=0 removed=0 percent=0 eta_ms=0 throttle_wait_ms=0",
                "phase=authenticating state=running fetched=0 total=0 added=0 updated=0 removed=0 percent=0 eta_ms=0 throttle_wait_ms=0",
                "phase=fetching state=running fetched=4200 total=10000 added=0 updated=0 removed=0 percent=42 eta_ms=12000 throttle_wait_ms=0",
                "phase=fetching state=running fetched=4200 total=10000 added=0 updated=0 removed=0 percent=42 eta_ms=11000 throttle_wait_ms=5000",
                "phase=fetching state=running fetched=10000 total=10000 added=0 updated=0 removed=0 percent=100 eta_ms=0 throttle_wait_ms=0",
                "phase=applying state=running fetched=10000 total=10000 added=12 updated=3 removed=5 percent=100 eta_ms=0 throttle_wait_ms=0",
                "phase=applying state=succeeded fetched=10000 total=10000 added=12 updated=3 removed=5 percent=100 eta_ms=0 throttle_wait_ms=0",
            ]
        )
    }

    @Test func plainLineWithoutCounters() {
        var update = ProgressUpdate()
        update.state = .running
        update.phase = .listingMembers
        var lines = PlainProgressLines()
        #expect(
            lines.line(for: update)
                == "phase=listing_members state=running fetched=0 total=0 added=0 updated=0 removed=0 percent=0 eta_ms=0 throttle_wait_ms=0"
        )
        #expect(lines.line(for: update) == nil)
    }

    @Test func progressBar() {
        let fetching = Self.update(
            .running,
            .fetching,
            fetched: 4200,
            total: 10000,
            added: 12,
            updated: 3,
            percent: 42.7,
            eta: 12000
        )
        #expect(
            ProgressBar.line(for: fetching)
                == "[####......]  42%  fetching  fetched 4,200/10,000  added 12 updated 3 removed 0  ETA 12 s"
        )
        let throttled = Self.update(
            .running,
            .fetching,
            fetched: 4200,
            total: 10000,
            percent: 42,
            eta: 75_500,
            throttle: 4200
        )
        #expect(
            ProgressBar.line(for: throttled)
                == "[####......]  42%  fetching  fetched 4,200/10,000  added 0 updated 0 removed 0  ETA 1 min 16 s  waiting 5 s: directory throttling"
        )
        let unknownTotal = Self.update(.running, .listingMembers, fetched: 1500)
        #expect(
            ProgressBar.line(for: unknownTotal)
                == "[..........]   0%  listing members  fetched 1,500  added 0 updated 0 removed 0"
        )
        let queued = Self.update(.queued, .unspecified)
        #expect(
            ProgressBar.line(for: queued, width: 4) == "[....]   0%  queued  fetched 0  added 0 updated 0 removed 0"
        )
        let done = Self.update(.succeeded, .applying, fetched: 10, total: 10, percent: 100)
        #expect(ProgressBar.line(for: done).hasPrefix("[##########] 100%  applying"))
    }

    @Test func outcomeOfTheFinalUpdate() {
        var succeeded = Self.update(.succeeded, .applying, final: true)
        var summary = ConfirmationSummary()
        summary.text = "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s"
        succeeded.summary = summary
        #expect(
            ProgressWatcher.outcome(of: succeeded).output == [
                "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s"
            ]
        )
        #expect(ProgressWatcher.outcome(of: succeeded).errors.isEmpty)

        var failed = Self.update(.failed, .fetching, final: true)
        failed.errorCode = "throttled"
        failed.errorMessage = "Microsoft Graph kept throttling; try again later"
        #expect(ProgressWatcher.outcome(of: failed).output.isEmpty)
        #expect(
            ProgressWatcher.outcome(of: failed).errors == [
                "error: sync job job-1 failed (throttled): Microsoft Graph kept throttling; try again later"
            ]
        )

        let cancelled = ProgressWatcher.outcome(of: Self.update(.cancelled, .fetching, final: true))
        #expect(cancelled.errors == ["Sync job job-1 was cancelled; nothing of it was applied."])
    }

    @Test func textFormats() {
        #expect(TextFormat.count(0) == "0")
        #expect(TextFormat.count(999) == "999")
        #expect(TextFormat.count(1204) == "1,204")
        #expect(TextFormat.count(1_234_567) == "1,234,567")
        #expect(TextFormat.count(-4200) == "-4,200")
        #expect(TextFormat.duration(ms: 800) == "800 ms")
        #expect(TextFormat.duration(ms: 2300) == "2.3 s")
        #expect(TextFormat.duration(ms: 12_400) == "12 s")
        #expect(TextFormat.duration(ms: 245_000) == "4 min 5 s")
        #expect(TextFormat.duration(ms: 3_600_000) == "1 h 0 min")
        #expect(TextFormat.duration(ms: 3_540_000) == "59 min")
        #expect(TextFormat.seconds(ms: 1) == "1 s")
        #expect(TextFormat.name(JobState.succeeded) == "succeeded")
        #expect(TextFormat.name(SyncPhase.listingMembers) == "listing_members")
        #expect(TextFormat.name(ConnectionState.consentRevoked) == "consent_revoked")
        #expect(TextFormat.name(JobState(rawValue: 42)) == "42")
    }
}
