import GraphTestDouble
import RosterDirectory
import RosterStore
import Testing

@testable import RosterSync

/// A cancel or a shutdown reaches a job even while it waits out a directory's Retry-After.
@Suite("Cancel means now")
struct CancelTests {
    /// Waits for `condition`, polling, for at most `seconds` (far below the hour a wait lasts; wide
    /// because the whole suite runs hundreds of tests at once on two cores, where 20 s was once
    /// too little for a job to reach its first page).
    func eventually(seconds: Double = 120, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test("CancelSync during a throttled page download ends the job CANCELLED, nothing applied")
    func cancelDuringRetryAfter() async throws {
        try await DeltaSyncTests.withDouble(users: 450, waitsBlock: true) { double, fixture, progressAtWaits in
            double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users/delta")
            let started = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
            #expect(await eventually { !progressAtWaits().isEmpty }, "the job never waited")
            #expect(try await fixture.manager.cancel(tenant: SyncFixture.tenant) != nil)
            #expect(
                await eventually { fixture.manager.progress.latest(job: started.job.id)?.isFinal == true },
                "the cancel did not reach the waiting download"
            )
            #expect(fixture.manager.progress.latest(job: started.job.id)?.state == .cancelled)
            #expect(try await fixture.contacts().isEmpty)
        }
    }

    @Test("a shutdown's grace period bounds a job waiting out a Retry-After: it ends INTERRUPTED")
    func shutdownDuringRetryAfter() async throws {
        try await DeltaSyncTests.withDouble(users: 450, waitsBlock: true) { double, fixture, progressAtWaits in
            double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users/delta")
            let started = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
            #expect(await eventually { !progressAtWaits().isEmpty }, "the job never waited")
            let shutdown = Task { await fixture.manager.shutdown(gracePeriod: .milliseconds(100)) }
            #expect(
                await eventually { fixture.manager.progress.latest(job: started.job.id)?.isFinal == true },
                "the shutdown did not reach the waiting download"
            )
            #expect(fixture.manager.progress.latest(job: started.job.id)?.state == .interrupted)
            await shutdown.value
        }
    }
}
